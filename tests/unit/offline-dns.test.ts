// The offline world's DNS answer (src/vm/network.ts): a query over UDP/IPv4 to any server gets that
// server's SERVFAIL with the question echoed; anything else passes on to v86.

import { describe, expect, it } from 'vitest';
import { offlineDnsReply } from '../../src/vm/network';

function query(options: { dport?: number; flags?: number; name?: string[]; proto?: number } = {}): Uint8Array {
  const labels = options.name ?? ['deb', 'debian', 'org'];
  const qname = [...labels.flatMap((l) => [l.length, ...new TextEncoder().encode(l)]), 0];
  const dns = [0x12, 0x34, (options.flags ?? 0x0100) >> 8, (options.flags ?? 0x0100) & 0xff, 0, 1, 0, 0, 0, 0, 0, 1, ...qname, 0, 1, 0, 1];
  // an EDNS OPT record in the additional section, which the reply leaves out
  dns.push(0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0);
  const udp = [0xa1, 0xb2, 0, options.dport ?? 53, 0, 8 + dns.length, 0, 0, ...dns];
  const ip = [0x45, 0, 0, 20 + udp.length, 0xbe, 0xef, 0x40, 0, 64, options.proto ?? 17, 0, 0, 172, 17, 0, 2, 8, 8, 8, 8];
  const eth = [2, 0, 0, 0, 0, 1, 2, 0x42, 0xac, 0x11, 0, 2, 0x08, 0x00];
  return new Uint8Array([...eth, ...ip, ...udp]);
}

describe('offlineDnsReply', () => {
  it('answers a query with SERVFAIL from the server that was asked, the question echoed', () => {
    const reply = offlineDnsReply(query());
    expect(reply).toBeDefined();
    const r = reply as Uint8Array;
    const view = new DataView(r.buffer);
    expect([...r.subarray(0, 6)]).toEqual([2, 0x42, 0xac, 0x11, 0, 2]);
    expect([...r.subarray(6, 12)]).toEqual([2, 0, 0, 0, 0, 1]);
    expect([...r.subarray(26, 30)]).toEqual([8, 8, 8, 8]);
    expect([...r.subarray(30, 34)]).toEqual([172, 17, 0, 2]);
    // a valid IPv4 header checksum sums to 0xffff
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += view.getUint16(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(view.getUint16(34)).toBe(53);
    expect(view.getUint16(36)).toBe(0xa1b2);
    const dns = 42;
    expect(view.getUint16(dns)).toBe(0x1234);
    expect(r[dns + 2]).toBe(0x81); // response, RD kept
    expect(r[dns + 3] & 0x0f).toBe(2); // SERVFAIL
    expect([view.getUint16(dns + 4), view.getUint16(dns + 6), view.getUint16(dns + 8), view.getUint16(dns + 10)]).toEqual([1, 0, 0, 0]);
    expect(r.length).toBe(dns + 12 + 16 + 4); // header, 3deb6debian3org0, type and class
    expect(view.getUint16(38)).toBe(r.length - 34);
  });

  it('lets everything else through: other ports, TCP, responses, malformed names', () => {
    expect(offlineDnsReply(query({ dport: 123 }))).toBeUndefined();
    expect(offlineDnsReply(query({ proto: 6 }))).toBeUndefined();
    expect(offlineDnsReply(query({ flags: 0x8180 }))).toBeUndefined();
    const truncated = query().subarray(0, 60);
    expect(offlineDnsReply(truncated)).toBeUndefined();
    expect(offlineDnsReply(new Uint8Array(10))).toBeUndefined();
  });
});
