/**
 * Preloaded (`node --import`) into the functions-framework processes of the local stack: functions-framework
 * listens on its port without a host, that is on every interface, and has no option to change it (`HOST` is
 * not read). With this module a `listen(port[, callback])` with no host binds to STACK_LISTEN_HOST instead.
 */
import { Server } from 'node:net';

const host = process.env.STACK_LISTEN_HOST;
if (host) {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [port, next] = args;
    const isPort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
    if (isPort && (args.length === 1 || typeof next === 'function')) args.splice(1, 0, host);
    return listen.apply(this, args as Parameters<typeof listen>);
  } as typeof listen;
}
