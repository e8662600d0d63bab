// FHIR R4 back to HL7 v2 (ER7, v2.5.1), for systems that speak nothing else: a set of
// DiagnosticReports and Observations becomes ORU^R01, a Patient ADT^A08, MedicationRequests
// RDE^O11, ServiceRequests ORM^O01. The reverse of the v2-to-FHIR maps, so that a v2 → FHIR
// → v2 round trip keeps identifiers, codes, values, units, ranges, flags, statuses and times.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/element.h"
#include "fhir/model/result.h"

namespace carebridge::mappings::hl7v2 {

struct ToV2Options {
  std::string sending_application = "CAREBRIDGE";
  std::string sending_facility;
  std::string receiving_application, receiving_facility;
  std::string control_id;   // MSH-10; empty: a new one
  std::string processing_id = "P";
};

// The messages for a Bundle (of any type) or a single resource; each message ends with CR.
// Fails when there is nothing v2 can carry (no Patient, no result, order or medication).
carebridge::Result<std::vector<std::string>> to_v2(const fhir::model::Element& resource, const ToV2Options& options = {});

// The ORU^R01 for one report, the order it answers and its results (the routing issue's v2
// channel); `order` and `report` may be null.
std::string oru_r01(const fhir::model::Element* patient, const fhir::model::Element* order, const fhir::model::Element* report,
                    const std::vector<const fhir::model::Element*>& observations, const ToV2Options& options);

}  // namespace carebridge::mappings::hl7v2
