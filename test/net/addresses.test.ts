import { describe, expect, it } from 'vitest';
import { AddressRanges, limitKey, normalizeAddress, parseRange } from '../../src/net/addresses.js';
import { clientAddress } from '../../src/net/clientAddress.js';
import { addressBanProblem, ipBanKey } from '../../src/chat/banKeys.js';

describe('normalizeAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['  10.1.2.3 ', '10.1.2.3'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['[::1]', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::', '::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('%s -> %s', (raw, normal) => {
    expect(normalizeAddress(raw)).toBe(normal);
  });

  it.each(['', 'unknown', '1.2.3', '256.1.1.1', '1.2.3.4:80', '::g', '1::2::3'])('refuses %j', (raw) => {
    expect(normalizeAddress(raw)).toBeUndefined();
  });
});

describe('limitKey', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(limitKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(limitKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:3::1')).not.toBe(limitKey('2001:db8:1:2::1'));
    expect(limitKey('::1')).toBe('::/64');
    expect(ipBanKey('2001:db8:1:2::99')).toBe('ip:2001:db8:1:2::/64');
    expect(ipBanKey('::ffff:127.0.0.1')).toBe('ip:127.0.0.1');
  });
});

describe('addressBanProblem', () => {
  it('accepts one address or an IPv6 /64, and refuses what no lookup would ever match', () => {
    expect(addressBanProblem('someone')).toBeUndefined();
    expect(addressBanProblem('ip:203.0.113.5')).toBeUndefined();
    expect(addressBanProblem('ip:::ffff:127.0.0.1')).toBeUndefined();
    expect(addressBanProblem('ip:2001:db8:1:2::/64')).toBeUndefined();
    expect(addressBanProblem('ip:10.0.0.0/8')).toMatch(/one address or an IPv6 \/64/);
    expect(addressBanProblem('ip:2001:db8::/48')).toMatch(/one address or an IPv6 \/64/);
    expect(addressBanProblem('ip:1.2.3.4/64')).toMatch(/one address or an IPv6 \/64/);
    expect(addressBanProblem('ip:not-an-address')).toMatch(/is not an address/);
    expect(addressBanProblem('ip:1.2.3.4/32/1')).toMatch(/is not an address/);
  });
});

describe('AddressRanges (CIDR matching)', () => {
  const ranges = new AddressRanges(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32', '::1']);
  it.each([
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['127.0.0.2', false],
    ['10.255.1.1', true],
    ['11.0.0.1', false],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
    ['::1', true],
    ['not an address', false],
  ])('%s in the list: %s', (address, inside) => {
    expect(ranges.has(address)).toBe(inside);
  });

  it('parses ranges and refuses malformed ones', () => {
    expect(parseRange('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseRange('2001:DB8::/32')).toEqual({ address: '2001:db8::', prefix: 32, family: 'ipv6' });
    expect(parseRange('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', 'nginx', '1.2.3.4/8/9', '']) expect(parseRange(bad)).toBeUndefined();
  });
});

describe('clientAddress', () => {
  const proxies = new AddressRanges(['127.0.0.1', '10.0.0.0/8']);
  const none = new AddressRanges([]);
  const from = (socketAddress: string, xff?: string | string[]) => ({ socketAddress, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });

  it('takes the socket address, normalised, when no proxy is trusted or the peer is not one', () => {
    expect(clientAddress(from('::ffff:203.0.113.5', '1.1.1.1'), none)).toBe('203.0.113.5');
    expect(clientAddress(from('::ffff:203.0.113.5', '1.1.1.1'), proxies)).toBe('203.0.113.5');
  });

  it('behind trusted proxies takes the right-most forwarded address that is not a proxy', () => {
    expect(clientAddress(from('::ffff:127.0.0.1', '203.0.113.5'), proxies)).toBe('203.0.113.5');
    // The client forged the left entries; the proxies appended the right ones.
    expect(clientAddress(from('::ffff:127.0.0.1', '6.6.6.6, 203.0.113.5, 10.0.0.2'), proxies)).toBe('203.0.113.5');
    expect(clientAddress(from('127.0.0.1', ['6.6.6.6', '2001:DB8::1']), proxies)).toBe('2001:db8::1');
  });

  it('falls back to the nearest proxy when the header is missing, empty, malformed or all proxies', () => {
    expect(clientAddress(from('::ffff:127.0.0.1'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(from('::ffff:127.0.0.1', ''), proxies)).toBe('127.0.0.1');
    expect(clientAddress(from('::ffff:127.0.0.1', '203.0.113.5, garbage'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(from('::ffff:127.0.0.1', '10.0.0.3, 10.0.0.2'), proxies)).toBe('10.0.0.3');
  });
});
