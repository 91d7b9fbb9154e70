import { runStandalone } from '@comanda/kit';
import { orders } from './index.ts';

await runStandalone(orders);
