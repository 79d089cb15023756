/**
 * Runs work one piece at a time, in the order it was asked for: the promise lock behind every "not
 * re-entrant" resource of the app (an ONNX Runtime session, a Python interpreter's session, the trusted
 * interpreter). A piece that fails does not stop the ones after it.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => {});
    return next;
  }

  /** Settles once everything asked for so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => {});
  }
}

const shared = new WeakMap<object, Serial>();

/**
 * The one Serial of `resource`, for everything that uses it: two users of one ONNX Runtime session (two
 * decoders of two solves, a greedy reference) must wait for each other, not only for themselves.
 */
export function serialOf(resource: object): Serial {
  let serial = shared.get(resource);
  if (!serial) {
    serial = new Serial();
    shared.set(resource, serial);
  }
  return serial;
}
