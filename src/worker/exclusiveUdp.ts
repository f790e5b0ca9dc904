import dgram from 'node:dgram';

/** bind's arguments in any of its overloaded forms. */
type BindArgs = readonly unknown[];

/**
 * Makes every UDP bind in this worker process exclusive. In a node:cluster worker, a bind that
 * is not `exclusive` is done by the cluster primary, which shares one socket between every
 * worker that asks for the same address and port (port 0 included): two workers' WHIP peers or
 * SRT relays would then read each other's datagrams, and the primary would hold media sockets.
 * Our own binds say `exclusive: true`; werift (WHIP's ICE) binds with `{port, address}` and
 * offers no option, so the default is changed here, for this process only, once at its start.
 */
export function makeUdpBindsExclusive(): void {
  const bind = dgram.Socket.prototype.bind as (this: dgram.Socket, ...args: BindArgs) => dgram.Socket;
  if ((bind as { exclusiveByDefault?: boolean }).exclusiveByDefault) return;
  const exclusiveBind = function (this: dgram.Socket, ...args: BindArgs) {
    return bind.apply(this, exclusiveArgs(args));
  };
  Object.assign(exclusiveBind, { exclusiveByDefault: true });
  dgram.Socket.prototype.bind = exclusiveBind as dgram.Socket['bind'];
}

/** The same bind with `exclusive: true` unless the caller chose; positional forms become the options form. */
export function exclusiveArgs(args: BindArgs): unknown[] {
  const [first, ...rest] = args;
  if (first !== null && typeof first === 'object') {
    const options = first as dgram.BindOptions;
    return options.exclusive === undefined ? [{ ...options, exclusive: true }, ...rest] : [...args];
  }
  // bind(), bind(callback), bind(port[, address][, callback])
  const callback = args.find((arg): arg is () => void => typeof arg === 'function');
  const port = typeof first === 'number' ? first : undefined;
  const address = typeof rest[0] === 'string' ? rest[0] : undefined;
  const options: dgram.BindOptions = { exclusive: true, ...(port === undefined ? {} : { port }), ...(address === undefined ? {} : { address }) };
  return callback ? [options, callback] : [options];
}
