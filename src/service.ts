// The shape every long-running part of the app has, shared by the composition root and the parts it starts.

/** A long-running part of the app that starts after the database and stops before it closes. */
export interface Service {
  name: string;
  start(): Promise<void>;
  /** Stop taking work, flush what is pending. */
  stop(): Promise<void>;
}
