import { runStandalone } from '@comanda/kit';
import { credit } from './index.ts';

await runStandalone(credit);
