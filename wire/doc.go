// Package wire is gatecheck's client side of the connection to the proxy under
// test, at the byte level: it writes a request's exact bytes (BuildHTTP1Request),
// reads back exactly what arrives and when (HTTP1Client, Exchange), and parses
// those bytes leniently, recording every way they break the protocol instead of
// repairing or rejecting them (ParseHTTP1Response, Response). Nothing here
// judges: the judge (package judge) decides what the bytes mean.
//
// What is specific to HTTP/1.x is named for it (HTTP1Client, the framing kinds),
// so that another protocol's client can stand beside it with the same Exchange
// and Response.
//
// wire must never import another gatecheck package but fakeupstream, whose
// Pattern it sends as generated request bodies: the judge, the harness and the
// tools above them all build on it.
package wire
