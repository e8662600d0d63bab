// The FHIR R4 validator: checks a parsed resource against the StructureDefinition
// snapshots of its type and of the profiles it claims (meta.profile) or is asked to
// meet, and against the rules of the specification that definitions cannot carry
// (primitive formats, terminology, references, Bundles, narrative, extensions).
// It adds to the issues the readers already reported; it never throws for bad input.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/fhirpath/fhirpath.h"
#include "fhir/model/document.h"

namespace carebridge::fhir::validation {

// How strictly a resource is judged. `Strict` is as close to the HL7 reference
// validator as we get (the validate and conformance commands, $validate). `Ingest`
// is for data systems send: it refuses what breaks FHIR (structure, cardinality,
// types, formats, required bindings, error invariants, unknown modifier extensions)
// and reports as warnings what real systems send and a reader can safely ignore:
// unknown extensions, display texts that differ, profiles that are not loaded.
enum class Policy { Strict, Ingest };

struct Options {
  std::vector<std::string> profiles;  // canonical URLs the resource must also conform to
  bool invariants = true;             // evaluate FHIRPath constraints (needs an engine)
  Policy policy = Policy::Strict;
  // The codes and units are the sender's, converted as sent (a v2 heart rate in "bpm", a
  // LOINC code with a wrong check digit): what the vital-signs profiles FHIR requires of a
  // vital sign and the known code systems' code forms find is a warning, not a refusal.
  bool sender_coded = false;
};

struct ValidatorState;  // expanded value sets, generated snapshots, compiled invariants

class Validator {
 public:
  // `engine` may be null: invariants are then not evaluated.
  Validator(const definitions::Definitions& definitions, const fhirpath::Engine* engine);
  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // Validates one resource (and the resources inside it). Thread-safe.
  std::vector<model::Issue> validate(const model::Element& resource, const Options& options = {}) const;


  // A validator that evaluates invariants with its own FHIRPath engine when this
  // build has one (else without invariants). What the CLI and the server use.
  static std::unique_ptr<Validator> with_invariants(const definitions::Definitions& definitions);
  // Whether invariants are evaluated.
  bool evaluates_invariants() const { return engine_ != nullptr; }

 private:
  std::shared_ptr<const fhirpath::Engine> owned_engine_;
  const definitions::Definitions& definitions_;
  const fhirpath::Engine* engine_;
  std::unique_ptr<ValidatorState> state_;
};

// Whether any issue is an error or fatal.
bool has_errors(const std::vector<model::Issue>& issues);

}  // namespace carebridge::fhir::validation
