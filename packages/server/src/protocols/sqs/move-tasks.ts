/**
 * Message move tasks (StartMessageMoveTask and friends): a background loop per dead-letter queue
 * that calls `broker.redrive` in small steps, at a fixed rate when asked, and records its progress
 * so ListMessageMoveTasks can report it and CancelMessageMoveTask can stop it between steps.
 * Tasks live in this process's memory: a restart forgets them (messages already moved stay moved).
 */
import crypto from 'node:crypto';
import type { BrokerApi } from '../../core/broker-api.js';

/** Status names as Amazon SQS reports them. */
export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** One task's record. */
export interface MoveTask {
  handle: string;
  status: MoveTaskStatus;
  sourceArn: string;
  destinationArn: string | undefined;
  /** Messages per second, or undefined for "as fast as the broker goes". */
  ratePerSecond: number | undefined;
  moved: number;
  /** Messages in the source when the task started. */
  toMove: number;
  startedAt: number;
  failureReason: string | undefined;
}

/** What a task needs to run. */
export interface MoveTaskStart {
  sourceArn: string;
  sourceQueue: string;
  destinationArn: string | undefined;
  destinationQueue: string | undefined;
  ratePerSecond: number | undefined;
  toMove: number;
}

/** Messages moved per redrive call when no rate is set: small steps keep cancel responsive. */
const unratedStepMessages = 100;
/** Finished tasks remembered per source queue, newest first (ListMessageMoveTasks returns at most 10). */
const historyPerSource = 10;

/** The registry of move tasks of one SQS front-end. */
export class MoveTasks {
  private readonly bySource = new Map<string, MoveTask[]>();
  private readonly cancelRequested = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly broker: BrokerApi,
    private readonly now: () => number,
  ) {}

  /** The running task of a source queue ARN, if any. */
  runningFor(sourceArn: string): MoveTask | undefined {
    return this.bySource.get(sourceArn)?.find((t) => t.status === 'RUNNING' || t.status === 'CANCELLING');
  }

  /** Starts a task in the background and returns its record. */
  start(spec: MoveTaskStart): MoveTask {
    const task: MoveTask = {
      handle: Buffer.from(JSON.stringify({ taskId: crypto.randomUUID(), sourceArn: spec.sourceArn })).toString('base64'),
      status: 'RUNNING',
      sourceArn: spec.sourceArn,
      destinationArn: spec.destinationArn,
      ratePerSecond: spec.ratePerSecond,
      moved: 0,
      toMove: spec.toMove,
      startedAt: this.now(),
      failureReason: undefined,
    };
    const list = [task, ...(this.bySource.get(spec.sourceArn) ?? [])].slice(0, historyPerSource);
    this.bySource.set(spec.sourceArn, list);
    const run = this.run(task, spec).finally(() => this.running.delete(run));
    this.running.add(run);
    return task;
  }

  /** Tasks of a source ARN, newest first. */
  list(sourceArn: string): MoveTask[] {
    return this.bySource.get(sourceArn) ?? [];
  }

  /** Finds a task by handle. */
  find(handle: string): MoveTask | undefined {
    for (const tasks of this.bySource.values()) {
      const task = tasks.find((t) => t.handle === handle);
      if (task !== undefined) return task;
    }
    return undefined;
  }

  /** Asks a running task to stop after its current step. */
  cancel(task: MoveTask): void {
    if (task.status !== 'RUNNING') return;
    task.status = 'CANCELLING';
    this.cancelRequested.add(task.handle);
  }

  /** Stops every task and waits for their current steps (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const tasks of this.bySource.values()) for (const t of tasks) this.cancel(t);
    await Promise.allSettled([...this.running]);
  }

  private async run(task: MoveTask, spec: MoveTaskStart): Promise<void> {
    const step = spec.ratePerSecond ?? unratedStepMessages;
    try {
      for (;;) {
        if (this.cancelRequested.has(task.handle) || this.closed) {
          task.status = 'CANCELLED';
          return;
        }
        // Like Amazon SQS, a task moves the messages that were there when it started, not later arrivals.
        const max = Math.min(step, task.toMove - task.moved);
        if (max <= 0) {
          task.status = 'COMPLETED';
          return;
        }
        const began = this.now();
        const options = spec.destinationQueue === undefined ? { max } : { max, to: spec.destinationQueue };
        const { moved } = await this.broker.redrive(spec.sourceQueue, options);
        task.moved += moved;
        if (moved < max) {
          task.status = 'COMPLETED';
          return;
        }
        if (spec.ratePerSecond !== undefined) await sleep(Math.max(0, 1000 - (this.now() - began)));
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (e) {
      task.status = 'FAILED';
      task.failureReason = e instanceof Error ? e.message : String(e);
    } finally {
      this.cancelRequested.delete(task.handle);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
