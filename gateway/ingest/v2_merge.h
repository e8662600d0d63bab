// An HL7 v2 update merged with the record it updates. v2 tells "not sent" from "deleted":
// a field left empty leaves the receiver's value as it is, v2's null `""` deletes it
// (v2.5.1 2.5.3). An ADT^A08 that sends the address alone must not erase the phone numbers
// an earlier message gave, so the stored version's elements the message did not speak of
// are carried into the version it writes.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "fhir/definitions/structure.h"

namespace carebridge::gateway::ingest {

// Copies into `updated` each element of `stored` (both the same resource type, `type`'s
// definition) that `updated` does not have and `cleared` does not name. An element is
// one of the type's (a choice's variants are one: deceasedBoolean stands for
// deceasedDateTime). Identifiers and extensions are lists kept by key: a stored
// identifier whose system, or extension whose url, the update does not have is added to
// the update's ("identifier|SYSTEM" or "extension|URL" in `cleared` drops it).
// `id`, `meta` and the narrative `text` are the update's own.
void keep_unsaid(rapidjson::Value& updated, const rapidjson::Value& stored, const std::vector<std::string>& cleared,
                 const fhir::definitions::StructureDef& type, rapidjson::Document::AllocatorType& allocator);

}  // namespace carebridge::gateway::ingest
