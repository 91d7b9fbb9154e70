import { runStandalone } from '@comanda/kit';
import { payments } from './index.ts';

await runStandalone(payments);
