// A PATCH's body as read (patch.cpp): which kind of patch it is and its operations, shared
// by the PATCH interaction and a transaction's PATCH entries.
#pragma once

#include <rapidjson/document.h>

namespace carebridge::gateway::rest {

enum class PatchKind { None, JsonPatch, MergePatch, FhirPathPatch };

struct PatchRequest {
  PatchKind kind = PatchKind::None;
  rapidjson::Document operations;  // numbers kept as their text (json_patch.h)
};

}  // namespace carebridge::gateway::rest
