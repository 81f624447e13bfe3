// The component's import, wasi:http/outgoing-handler@0.2.0: one request a
// guest client wrote to a wired peer, sent through the host, and its response.
#ifndef TRELLIS_OUTGOING_H
#define TRELLIS_OUTGOING_H
#include "../emu.h"

typedef struct OutField {
  const u8 *name, *value;
  u32 name_len, value_len;
} OutField;

typedef struct OutRequest {
  const u8 *method, *path, *authority;
  u32 method_len, path_len, authority_len;
  const OutField *fields;
  int nfields;
  const u8 *body;
  u32 body_len;
} OutRequest;

typedef struct OutResponse {
  int status;
  OutField *fields; // names, values and the array malloc'd
  int nfields;
  u8 *body;
  u32 body_len;
} OutResponse;

// 0 with *res filled, else the wasi:http error-code case (its name in
// *why). Bodies are read whole, up to max_body bytes.
int outgoing_send(const OutRequest *req, OutResponse *res, u32 max_body, const char **why);
void outgoing_response_free(OutResponse *res);
#endif
