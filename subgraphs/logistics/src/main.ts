import { runStandalone } from '@comanda/kit';
import { logistics } from './index.ts';

await runStandalone(logistics);
