/** Every code the name server serves, registered through the remoting server's handler table. */
import type { HandlerRegistry, RequestHandler } from '../../remoting/request-handler';
import { brokerRegistrationHandlers } from './broker-registration';
import { kvConfigHandlers } from './kv-config';
import type { NamesrvContext } from './namesrv-context';
import { routeQueryHandlers } from './route-queries';

export function namesrvHandlers(ns: NamesrvContext): Array<[number, RequestHandler]> {
  return [...brokerRegistrationHandlers(ns), ...routeQueryHandlers(ns), ...kvConfigHandlers(ns)];
}

export function registerNamesrvHandlers(registry: HandlerRegistry, ns: NamesrvContext): void {
  for (const [code, handler] of namesrvHandlers(ns)) registry.registerHandler(code, handler);
}
