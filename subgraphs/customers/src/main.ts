import { runStandalone } from '@comanda/kit';
import { customers } from './index.ts';

await runStandalone(customers);
