/**
 * Which acknowledgements take a job from what the server last took from us to the status we
 * want it in. The table is the fiscal subgraph's (subgraphs/fiscal/src/domain/print-job.ts,
 * also in the AcknowledgePrintJobInput docs), copied because the daemon is installed on its own;
 * CANCELLED is never a step, it is a person's decision.
 */
import type { PrintJobStatus } from './job.ts';

export const SERVER_TRANSITIONS: Readonly<Record<PrintJobStatus, readonly PrintJobStatus[]>> = {
  QUEUED: ['SENT', 'PRINTED', 'FAILED', 'CANCELLED'],
  SENT: ['PRINTED', 'FAILED', 'UNCERTAIN'],
  FAILED: ['QUEUED', 'CANCELLED'],
  UNCERTAIN: ['QUEUED', 'PRINTED', 'FAILED', 'CANCELLED'],
  PRINTED: [],
  CANCELLED: [],
};

/** The shortest chain of statuses to acknowledge, in order (empty when already there), or null when there is none. */
export function ackPath(from: PrintJobStatus, to: PrintJobStatus): PrintJobStatus[] | null {
  if (from === to) return [];
  const previous = new Map<PrintJobStatus, PrintJobStatus>();
  const frontier: PrintJobStatus[] = [from];
  while (frontier.length) {
    const at = frontier.shift()!;
    for (const next of SERVER_TRANSITIONS[at]) {
      if (next === 'CANCELLED' || next === from || previous.has(next)) continue;
      previous.set(next, at);
      if (next === to) {
        const path: PrintJobStatus[] = [to];
        for (let step = at; step !== from; step = previous.get(step)!) path.unshift(step);
        return path;
      }
      frontier.push(next);
    }
  }
  return null;
}
