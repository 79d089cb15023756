/**
 * `<math-tutor>`: the tutor as a custom element, loaded by one classic script tag from
 * the tutor's origin (`<script src="https://tutor.example/embed/math-tutor.js">`).
 *
 * The element draws an iframe of the tutor's embed page inside its shadow root and
 * talks to it with the embed protocol (web/embed/protocol.ts). The tutor itself (model,
 * Python workers, storage) runs in that frame, on the tutor's origin: browsers refuse
 * module workers from another origin, and a blob-wrapped worker would run under the host
 * page's origin and policy, losing the Python sandbox's own CSP and mixing the tutor's
 * storage with the host's. The shadow root keeps host CSS off the frame and the
 * element's CSS out of the host; the frame keeps everything else apart.
 *
 * Attributes: problem, theme (light | dark | auto), compact, samples (1-16).
 * Methods: solve(), reset(), setProblem(text). Events (CustomEvent, `detail` is the
 * protocol event): ready, progress, solved, answer-checked, error, height.
 */
import { parseFlag, parseSamples, parseTheme } from './config.ts';
import { TUTOR_EVENT_TYPES, type HostMessage, type TutorEvent } from './protocol.ts';

const SCRIPT_URL = (document.currentScript as HTMLScriptElement | null)?.src ?? '';

/** The embed page next to this script: `<tutor>/embed/math-tutor.js` → `<tutor>/embed.html`. */
const EMBED_URL = new URL('../embed.html', SCRIPT_URL || location.href);

const STYLE = `
  :host { all: initial !important; display: block !important; visibility: visible !important; contain: content; min-height: 10rem; }
  :host([hidden]) { display: none !important; }
  iframe { all: initial; display: block; box-sizing: border-box; width: 100%; height: 18rem; border: 1px solid #c9ced4; border-radius: 8px; background: transparent; color-scheme: normal; }
`;

const LOAD_ATTRIBUTES = ['theme', 'compact', 'samples'] as const;

export class MathTutorElement extends HTMLElement {
  static observedAttributes = ['problem', ...LOAD_ATTRIBUTES];

  private readonly root: ShadowRoot;
  private frame: HTMLIFrameElement | undefined;
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly listener = (event: MessageEvent) => this.receive(event);

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.root.append(style);
  }

  connectedCallback(): void {
    window.addEventListener('message', this.listener);
    if (!this.frame) this.load();
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.listener);
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (!this.frame || old === value) return;
    if (name === 'problem') this.post({ type: 'set-problem', problem: value ?? '' });
    else this.load();
  }

  /** Solves the problem shown in the tutor (the `problem` attribute, or what the reader typed). */
  solve(): void {
    this.post({ type: 'solve' });
  }

  /** Stops a running solve and clears the problem and result. */
  reset(): void {
    this.post({ type: 'reset' });
  }

  setProblem(problem: string): void {
    this.setAttribute('problem', problem);
  }

  private load(): void {
    const url = new URL(EMBED_URL);
    url.searchParams.set('origins', location.origin);
    const problem = this.getAttribute('problem');
    if (problem) url.searchParams.set('problem', problem);
    url.searchParams.set('theme', parseTheme(this.getAttribute('theme')));
    if (parseFlag(this.getAttribute('compact'))) url.searchParams.set('compact', '1');
    url.searchParams.set('samples', String(parseSamples(this.getAttribute('samples'))));
    this.ready = false;
    const frame = document.createElement('iframe');
    frame.title = 'Math tutor';
    frame.src = url.href;
    // Lets the tutor be cross-origin isolated (threads, the Python interrupt) when the host page is.
    frame.allow = 'cross-origin-isolated';
    frame.setAttribute('part', 'frame');
    this.frame?.remove();
    this.frame = frame;
    this.root.append(frame);
  }

  private post(message: HostMessage): void {
    if (!this.ready || !this.frame?.contentWindow) {
      this.queue.push(message);
      return;
    }
    this.frame.contentWindow.postMessage(message, EMBED_URL.origin);
  }

  private receive(event: MessageEvent): void {
    if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== EMBED_URL.origin) return;
    const data = event.data as Partial<TutorEvent> | null;
    if (!data || typeof data !== 'object' || !TUTOR_EVENT_TYPES.includes(data.type as TutorEvent['type'])) return;
    const tutorEvent = data as TutorEvent;
    if (tutorEvent.type === 'height' && Number.isFinite(tutorEvent.height)) this.frame.style.height = `${Math.max(80, Math.ceil(tutorEvent.height) + 2)}px`;
    if (tutorEvent.type === 'ready') {
      this.ready = true;
      const pending = this.queue;
      this.queue = [];
      for (const message of pending) this.post(message);
    }
    this.dispatchEvent(new CustomEvent(tutorEvent.type, { detail: tutorEvent }));
  }
}

if (!customElements.get('math-tutor')) customElements.define('math-tutor', MathTutorElement);

declare global {
  interface HTMLElementTagNameMap {
    'math-tutor': MathTutorElement;
  }
}
