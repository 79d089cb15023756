/** Global setup of the browser tests: the model hosts by their real names on loopback (named-hosts.ts). */
import { startNamedHosts } from './named-hosts.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const hosts = await startNamedHosts();
  return () => hosts.close();
}
