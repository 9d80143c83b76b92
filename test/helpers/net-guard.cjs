// Preloaded with `node --require` by test/security/no-network.test.ts: records, and refuses, every
// name lookup and network connection made from JavaScript (dns, net/tls/http sockets, fetch).
// Unix-domain sockets (tsx's IPC pipe) are local and allowed. Native code (onnxruntime) is
// watched separately, with strace.
const fs = require('node:fs');
const dns = require('node:dns');
const net = require('node:net');

const log = process.env.NET_GUARD_LOG;
function record(what) {
  if (log) fs.appendFileSync(log, `${process.pid} ${what}\n`);
  const e = new Error(`network access blocked by the test guard: ${what}`);
  e.code = 'ENETUNREACH';
  return e;
}

for (const name of [
  'lookup',
  'lookupService',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCname',
  'resolveMx',
  'resolveNs',
  'resolveSrv',
  'resolveTxt',
  'reverse',
]) {
  if (typeof dns[name] === 'function') {
    dns[name] = (host, ...rest) => {
      const cb = rest.find((a) => typeof a === 'function');
      const err = record(`dns.${name} ${String(host)}`);
      if (cb) process.nextTick(cb, err);
      else throw err;
    };
  }
  if (dns.promises && typeof dns.promises[name] === 'function') {
    dns.promises[name] = async (host) => {
      throw record(`dns.promises.${name} ${String(host)}`);
    };
  }
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const isPath = typeof first === 'string' || (first && typeof first === 'object' && typeof first.path === 'string');
  if (!isPath) {
    const where = typeof first === 'object' && first ? `${first.host ?? 'localhost'}:${first.port}` : String(first);
    throw record(`net.connect ${where}`);
  }
  return connect.apply(this, args);
};

if (typeof globalThis.fetch === 'function') {
  globalThis.fetch = async (input) => {
    throw record(`fetch ${typeof input === 'string' ? input : input?.url || String(input)}`);
  };
}
