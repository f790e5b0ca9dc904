vcl 4.1;
# Varnish in front of the room ports, for Low-Latency HLS audiences larger than one room worker
# serves comfortably (docs/broadcast.md, "Many viewers"). Every LL-HLS viewer makes two held
# requests per part (the blocking playlist reload and the hinted part), and all the viewers of a
# room ask for the same two URLs at the same moment. Varnish collapses them: one request per
# URL reaches the worker (held there until the part exists), the others wait in Varnish's
# waiting list and are answered from the one response as soon as it arrives. nginx cannot do
# this for held requests: its proxy_cache_lock waiters look again only every 500 ms.
#
# Varnish has no TLS: nginx (docs/nginx.conf) terminates TLS on every room port and passes
# /hls/ and /recordings/ to Varnish with the room port in X-Room-Port:
#   location ~ ^/(hls|recordings)/ {
#     proxy_pass http://varnish:6081;
#     proxy_http_version 1.1;
#     proxy_set_header Connection "";
#     proxy_set_header X-Room-Port $server_port;
#     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
#     proxy_read_timeout 15s;
#     proxy_buffering off;
#   }
# Run it with room for the parts and segments of your live rooms, e.g.
#   varnishd -a :6081 -f /etc/varnish/chatserver.vcl -s malloc,512m
# bench/held.ts runs this very file (its backends replaced by the bench's room).

# BEGIN room backends: one per port of ROOM_PORTS (a held request waits up to 3 target
# durations, hence the first-byte timeout). Generate them:
#   for p in $(seq 34000 34099); do echo "backend room$p { .host = \"chatserver\"; .port = \"$p\"; .first_byte_timeout = 15s; .between_bytes_timeout = 15s; }"; done
backend room34000 { .host = "chatserver"; .port = "34000"; .first_byte_timeout = 15s; .between_bytes_timeout = 15s; }
backend room34001 { .host = "chatserver"; .port = "34001"; .first_byte_timeout = 15s; .between_bytes_timeout = 15s; }
# END room backends

sub vcl_recv {
  if (req.method != "GET" && req.method != "HEAD") {
    return (synth(405, "Only GET and HEAD go through the HLS cache"));
  }
  if (req.url !~ "^/(hls|recordings)/") {
    return (synth(404, "Only /hls/ and /recordings/ go through the HLS cache"));
  }
  # HLS is public: nothing of the viewer's keys the cache (cookies would make every URL unique).
  unset req.http.Cookie;
  # BEGIN backend choice: one line per backend above. Generate them:
  #   for p in $(seq 34000 34099); do echo "  if (req.http.X-Room-Port == \"$p\") { set req.backend_hint = room$p; return (hash); }"; done
  if (req.http.X-Room-Port == "34000") { set req.backend_hint = room34000; return (hash); }
  if (req.http.X-Room-Port == "34001") { set req.backend_hint = room34001; return (hash); }
  # END backend choice
  return (synth(404, "Unknown room port (X-Room-Port)"));
}

sub vcl_hash {
  # Every room serves /hls/index.m3u8: the room port is part of the key. The URL is, with its
  # query (_HLS_msn, _HLS_part, _HLS_skip): a blocking reload's answer is one object per part.
  hash_data(req.http.X-Room-Port);
  hash_data(req.url);
  return (lookup);
}

sub vcl_backend_response {
  # Only complete answers are kept, for as long as the worker's Cache-Control says (a plain
  # playlist says no-cache: every request reaches the worker). An error (404 for a part that
  # will never exist, 503 while a stream starts, 429) is passed on and never kept, so a
  # request after it reaches the worker again.
  if (beresp.status != 200 && beresp.status != 206) {
    set beresp.ttl = 0s;
    set beresp.uncacheable = true;
    return (deliver);
  }
  # A stale playlist is a wrong one: never serve one past its time.
  set beresp.grace = 0s;
}

sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
}
