/**
 * The one driver design every benchmarked system implements, and the shapes of the results the
 * scenarios produce. A scenario only ever talks to a system through these interfaces, so every
 * system is measured by exactly the same code.
 */

/**
 * Durability tier: what a publish confirmation promises. Systems of different tiers are never
 * compared with each other.
 */
export type Tier = 'fsync' | 'page-cache' | 'memory';

/** A running consumer; `stop` ends it and releases what it holds. */
export interface ConsumerHandle {
  stop(): Promise<void>;
}

/** What a consumer does with each delivered body; the driver acknowledges after it returns. */
export type BodyHandler = (body: Uint8Array) => void;

/** Options shared by every consumer. */
export interface ConsumeOptions {
  /** Most unacknowledged messages the consumer holds at once (prefetch / max in flight). */
  prefetch: number;
}

/** One queue (RabbitMQ queue, JetStream work-queue stream, BullMQ queue, Chute queue). */
export interface QueueHandle {
  readonly name: string;
  /** Publishes one message; resolves only when the system has confirmed it (per its tier). */
  publish(body: Uint8Array): Promise<void>;
  /** Starts one consumer that acknowledges every message after `onBody` returns. */
  consume(onBody: BodyHandler, options: ConsumeOptions): Promise<ConsumerHandle>;
  /** Removes the queue and everything in it. */
  delete(): Promise<void>;
}

/** One topic (exchange, subject, producer-side loop) feeding several queues, each with its own consumer. */
export interface FanoutHandle {
  readonly name: string;
  readonly queueCount: number;
  /** Publishes one message to the topic; resolves when every copy is confirmed. */
  publish(body: Uint8Array): Promise<void>;
  /** Starts one consumer on subscribed queue number `index`. */
  consume(index: number, onBody: BodyHandler, options: ConsumeOptions): Promise<ConsumerHandle>;
  /** Removes the topic and every subscribed queue. */
  delete(): Promise<void>;
}

/** Timings of a kill -9 and restart of a broker process the harness owns. */
export interface RestartTiming {
  /** How long the same broker took to start on an empty data directory (process start-up alone). */
  emptyStartMs: number;
  /** From the kill until the process listens again. */
  listeningAfterMs: number;
  /** From the kill until a receive on the backlog queue returned a message. */
  servingAfterMs: number;
}

/** A system under test, as the scenarios see it. */
export interface Driver {
  /** Short stable id, e.g. `rabbitmq`, `chute-memory`. */
  readonly id: string;
  /** Human name used in tables, e.g. `RabbitMQ 3.10.8`; set once connected. */
  readonly label: string;
  readonly tier: Tier;
  /** True for Chute's own drivers (the rows ratios are computed for). */
  readonly isChute: boolean;
  /** One line on how the system is configured, for the table legend. */
  readonly setup: string;
  /** Connects (and starts the broker process where the harness owns it). */
  connect(): Promise<void>;
  /** Creates a fresh queue with a unique name. */
  openQueue(name: string): Promise<QueueHandle>;
  /** Creates a fresh topic with `queueCount` subscribed queues. */
  openFanout(name: string, queueCount: number): Promise<FanoutHandle>;
  /** Pid of the broker process, for RSS sampling; null when it cannot be found. */
  brokerPid(): Promise<number | null>;
  /**
   * Kills the broker with SIGKILL and starts it again on the same data, then waits until `queue`
   * serves a message. Absent for shared machine services, which the harness never kills.
   */
  restart?(queue: QueueHandle): Promise<RestartTiming>;
  /**
   * Replaces the broker process with a new one on an empty data directory, so a memory
   * measurement does not inherit the heap of earlier scenarios. Only for brokers the harness owns.
   */
  fresh?(): Promise<void>;
  /** Closes connections (and stops the broker process where the harness owns it). */
  close(): Promise<void>;
}

/** Scenario numbers of issue 4. */
export type ScenarioId = 1 | 2 | 3 | 4 | 5;

/** One measured (or missing) line of a scenario table. */
export interface ResultRow {
  scenario: ScenarioId;
  /** Driver id. */
  system: string;
  label: string;
  tier: Tier;
  isChute: boolean;
  /** What varies inside the scenario: message size, load level ... e.g. `1 KiB @ 50%`. */
  caseLabel: string;
  /** Sort key of the case, so tables list cases in a stable order. */
  caseOrder: number;
  /** Metric key to value; null when not measured. */
  metrics: Record<string, number | null>;
  /** Free text: timeouts, errors, why a figure is absent. */
  note: string;
}
