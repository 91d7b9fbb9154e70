import { runStandalone } from '@comanda/kit';
import { fiscal } from './index.ts';

await runStandalone(fiscal);
