// The core side of the wasi:http component: the guest's HTTP port reached
// from inside the core. The host network interface (hostnet.h) is answered by
// this bridge instead of the host: the guest's listen() on the HTTP port is
// "published" to it, each request is a new connection in that listener's
// backlog, and the guest's other outbound connections are refused.
#ifndef TRELLIS_BRIDGE_H
#define TRELLIS_BRIDGE_H
#include "http1.h"

// Outcomes, each a wasi:http error-code in handler.c.
typedef enum {
  BR_OK,
  BR_NOT_LISTENING, // every guest process waits and none listens on the port
  BR_EXITED,        // the guest's PID 1 exited (before or while answering)
  BR_NO_ANSWER,     // every guest process waits, none for a deadline, and the answer is not complete
  BR_CLOSED_EARLY,  // the guest closed the connection before a complete answer
  BR_MALFORMED,     // the answer is not an HTTP/1.x response
  BR_TIME_LIMIT,    // TRELLIS_HTTP_TIMEOUT_MS passed
  BR_STEP_LIMIT,    // TRELLIS_HTTP_STEP_LIMIT guest instructions ran without a complete answer
  BR_TOO_LARGE,     // the answer is larger than the bridge holds
  BR_CLIENT_GONE,   // a streamed answer's client stopped taking the body
} BridgeStatus;

typedef struct BridgeResponse {
  u8 *raw; // the response as the guest wrote it (head fields point into it)
  u32 raw_len;
  Http1Head head;
  u8 *body; // decoded body
  u32 body_len;
  char why[320]; // what went wrong, in words
  int streamed;  // the head and body went to the sink as they came (raw/head/body are then not the answer)
  u64 streamed_bytes;
} BridgeResponse;

// Where an answer goes that is still coming once TRELLIS_HTTP_STREAM_AFTER
// bytes of it (256 KiB) are held and its head is complete: start() gets the
// head (out->head and out->raw, valid during the call), then body() the
// decoded body in runs as the guest writes it, so a large download is never
// held whole. body() returns 0 when the client stopped taking it.
typedef struct BridgeSink {
  void *ctx;
  void (*start)(void *ctx, const BridgeResponse *head);
  int (*body)(void *ctx, const u8 *p, u32 n);
} BridgeSink;

// Starts the guest once (its entrypoint, as the image says) and runs it until
// every process waits. BR_OK when it listens on the HTTP port.
BridgeStatus bridge_start(char *why, u32 why_len);

// Sends one request (a whole HTTP/1.1 message) on a new connection to the
// guest's HTTP port and runs the guest until the answer is complete; with a
// sink, a large answer streams to it instead (out->streamed).
BridgeStatus bridge_exchange(const u8 *req, u32 len, int head_request, const BridgeSink *sink, BridgeResponse *out);
void bridge_response_free(BridgeResponse *r);

u16 bridge_port(void);
#endif
