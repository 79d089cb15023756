/** Capability probe: reports what a module worker (where the model runs) can use. */
import * as Comlink from 'comlink';
import '../common/errors.ts';
import { detectCapabilities } from '../common/env.ts';
import type { ProbeApi } from '../contracts.ts';

const api: ProbeApi = {
  capabilities: () => detectCapabilities(),
};

Comlink.expose(api);
