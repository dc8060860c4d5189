package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address of the client that sent r: the connection's peer, or,
// when the peer is a trusted proxy, the address that the proxies name in
// X-Forwarded-For. The header is read from the right, past the entries of trusted
// proxies: each proxy appends the address it was reached from, and anything to the
// left of the first untrusted one was written by the client itself.
func (s *Server) clientAddr(r *http.Request) string {
	addr := remoteHost(r)
	if len(s.cfg.TrustedProxies) == 0 {
		return addr
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || !s.trustedProxy(ip) {
		return addr
	}
	lines := r.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		hops := strings.Split(lines[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				// Not what a proxy writes: the last proxy is the client, as far as we know.
				return addr
			}
			hop = hop.Unmap()
			if !s.trustedProxy(hop) {
				return hop.String()
			}
			addr = hop.String()
		}
	}
	return addr
}

func (s *Server) trustedProxy(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// remoteHost is the address of the connection's peer, without its port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// parsePrefixes reads a comma-separated list of addresses and CIDR prefixes, such
// as "127.0.0.1,10.0.0.0/8"; an address stands for itself alone.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix such as 10.0.0.0/8", item)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}
