// Who a process is when it claims clips (docs/adr/0034-clip-claims-and-one-helix-budget.md): host, pid and a random
// part, and whether another holder on this host is still alive.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ClaimHolder } from '../db/stores/helix-claims';

export type { ClaimHolder };

/** A new holder id for this process: host, pid and a random part (a pid is reused after a restart). */
export function newClaimHolder(): ClaimHolder {
  const host = os.hostname();
  return { holder: `${host}:${process.pid}:${randomBytes(4).toString('hex')}`, host, pid: process.pid };
}

/** Whether a process of this host is alive: signal 0 checks without sending anything; EPERM means it exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
