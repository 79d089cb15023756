/** The device panel renders each state the user can meet. */
import { describe, expect, it } from 'vitest';
import { mount, unmount, flushSync } from 'svelte';
import DeviceStatus from '../../web/components/DeviceStatus.svelte';
import type { Capabilities } from '../../workers/contracts.ts';

const base: Capabilities = {
  context: 'worker',
  webgpu: { available: false, reason: 'This browser does not offer WebGPU; the model runs on the CPU (WebAssembly), which is slower.' },
  crossOriginIsolated: true,
  sharedArrayBuffer: true,
  hardwareConcurrency: 4,
};

function render(props: { capabilities: Capabilities | undefined; error: string | undefined }) {
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(DeviceStatus, { target, props });
  flushSync();
  return { target, destroy: () => { unmount(component); target.remove(); } };
}

describe('DeviceStatus', () => {
  it('explains the WebAssembly fallback when WebGPU is missing', () => {
    const view = render({ capabilities: base, error: undefined });
    const notice = view.target.querySelector('[data-testid="no-webgpu"]');
    expect(notice?.textContent).toContain('No WebGPU here.');
    expect(notice?.textContent).toContain('WebAssembly');
    expect(notice?.getAttribute('role')).toBe('status');
    view.destroy();
  });

  it('names a hardware adapter', () => {
    const view = render({ capabilities: { ...base, webgpu: { available: true, description: 'Radeon 780M' } }, error: undefined });
    expect(view.target.querySelector('[data-testid="backend"]')?.textContent).toContain('Radeon 780M');
    view.destroy();
  });

  it('says a software-only WebGPU adapter means the CPU path', () => {
    const view = render({
      capabilities: { ...base, webgpu: { available: true, description: 'SwiftShader', isFallbackAdapter: true } },
      error: undefined,
    });
    const text = view.target.querySelector('[data-testid="no-webgpu"]')?.textContent ?? '';
    expect(text).toContain('software one');
    expect(text).toContain('WebAssembly');
    view.destroy();
  });

  it('tells the user when the page is not cross-origin isolated', () => {
    const view = render({ capabilities: { ...base, crossOriginIsolated: false }, error: undefined });
    expect(view.target.querySelector('[data-testid="not-isolated"]')).not.toBeNull();
    view.destroy();
  });

  it('shows a probe failure as an alert', () => {
    const view = render({ capabilities: undefined, error: 'worker failed' });
    expect(view.target.querySelector('[role="alert"]')?.textContent).toContain('worker failed');
    view.destroy();
  });
});
