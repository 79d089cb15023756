/**
 * The embed page's side of the protocol: reads messages only from its parent window
 * and only from allowed origins, validates them, and sends events to the parent
 * addressed to an allowed origin (never `*`), so a page that is not on the list
 * neither drives the tutor nor hears its answers.
 */
import { parseHostMessage, type HostMessage, type TutorEvent } from './protocol.ts';

export class HostChannel {
  private readonly listener = (event: MessageEvent) => this.receive(event);
  private observer: ResizeObserver | undefined;
  private lastHeight = -1;

  constructor(
    private readonly allowed: readonly string[],
    private readonly onMessage: (message: HostMessage) => void,
    private readonly win: Window = window,
  ) {}

  /** True when the page runs in a frame and has someone it may talk to. */
  get embedded(): boolean {
    return this.win.parent !== this.win && this.allowed.length > 0;
  }

  start(): void {
    this.win.addEventListener('message', this.listener);
  }

  stop(): void {
    this.win.removeEventListener('message', this.listener);
    this.observer?.disconnect();
  }

  /**
   * Where events go: the parent's origin when the browser reports it
   * (`location.ancestorOrigins`) and it is allowed; otherwise each allowed origin,
   * as `postMessage` delivers only to the one the parent really has.
   */
  private targets(): readonly string[] {
    const parent = this.win.location.ancestorOrigins?.[0];
    if (parent && this.allowed.includes(parent)) return [parent];
    return this.allowed;
  }

  send(event: TutorEvent): void {
    if (!this.embedded) return;
    for (const origin of this.targets()) this.win.parent.postMessage(event, origin);
  }

  private receive(event: MessageEvent): void {
    // Only the parent, and only from an allowed origin: anything else is ignored without an answer.
    if (event.source !== this.win.parent || this.win.parent === this.win) return;
    if (!this.allowed.includes(event.origin)) return;
    const parsed = parseHostMessage(event.data);
    if (!parsed.ok) {
      this.win.parent.postMessage({ type: 'error', code: parsed.code, message: parsed.message } satisfies TutorEvent, event.origin);
      return;
    }
    this.onMessage(parsed.message);
  }

  /** Sends the height of `element` now and whenever it changes. */
  reportHeight(element: HTMLElement): void {
    const report = () => {
      const height = Math.ceil(element.getBoundingClientRect().height);
      if (height === this.lastHeight) return;
      this.lastHeight = height;
      this.send({ type: 'height', height });
    };
    this.observer = new ResizeObserver(report);
    this.observer.observe(element);
    report();
  }
}
