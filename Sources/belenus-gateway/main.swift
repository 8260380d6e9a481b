// The CGI gateway (SPEC §5). Until its routes land it answers every request with 503,
// as a CGI response (RFC 3875 §6.3.3: a Status header, then the body).
print("Status: 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nThe Belenus gateway is not ready yet.", terminator: "")
