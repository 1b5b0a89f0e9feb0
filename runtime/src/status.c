//===- status.c - Status code descriptions --------------------------------===//

#include "sora/runtime.h"

const char *sora_status_string(sora_status_t status) {
  switch (status) {
#define SORA_STATUS_CASE(name, code, text)                                     \
  case SORA_STATUS_##name:                                                     \
    return text;
    SORA_STATUS_LIST(SORA_STATUS_CASE)
#undef SORA_STATUS_CASE
  }
  return "unknown status";
}
