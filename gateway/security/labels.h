// Security labels (Resource.meta.security) as the gateway enforces them: the codes it
// reads as bits, the labelling rules applied to every write (shipped as data in
// gateway/security/labeling-rules.json) and the edit that writes labels back.
//
// Codes follow the HL7 Healthcare Privacy and Security Classification System as FHIR R4
// uses it: confidentiality from v3-Confidentiality, sensitivity and privacy law from
// v3-ActCode, refrains (handling obligations) from v3-ActCode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/model/result.h"

namespace carebridge::gateway::security {

// One bit per label the gateway acts on. Related codes fold into one bit (see
// label_bits): the gateway decides the same way for them.
enum Label : uint32_t {
  ConfidentialityR = 1u << 0,  // v3-Confidentiality R, restricted
  ConfidentialityV = 1u << 1,  // v3-Confidentiality V, very restricted
  ETH = 1u << 2,    // substance use: v3-ActCode ETH, SUD, ETHUD, OPIOIDUD
  HIV = 1u << 3,    // v3-ActCode HIV
  PSY = 1u << 4,    // mental health: v3-ActCode PSY, MH, BH, EMOTDIS, PSYTHPN
  SDV = 1u << 5,    // sexual assault, abuse or domestic violence: v3-ActCode SDV, MST
  STD = 1u << 6,    // sexually transmitted disease: v3-ActCode STD
  Part2 = 1u << 7,  // 42 CFR Part 2 substance-use program record: v3-ActCode 42CFRPart2
  // Another information-sensitivity or privacy-law code (GDIS, SEX, SICKLE, Title38Section7332,
  // ...): sensitive, but no permit can name it, so it never leaves without the gateway's say.
  OtherSensitive = 1u << 8,
  // A refrain: no redisclosure without the patient's consent (v3-ActCode NORDSCLCD, NORDSCLCDS).
  // A handling obligation the recipient is told about, not a sensitivity.
  NoRedisclosure = 1u << 9,
  // A refrain: no disclosure without the originator's authorization (v3-ActCode ORCON). The
  // record is confined to the organization that wrote it, as a victim service provider's
  // comparable-database export marks its clients' records.
  OriginatorControlled = 1u << 10,
};

// The labels that keep a resource from anyone without a Consent that covers it.
constexpr uint32_t kSensitive = ConfidentialityR | ConfidentialityV | ETH | HIV | PSY | SDV | STD | Part2 | OtherSensitive;

// The bits a security-label Coding stands for; 0 when it is none the gateway acts on
// (normal confidentiality, purposes, other obligations, unknown systems). Accepts the
// current terminology.hl7.org systems, the FHIR DSTU2/STU3 forms (http://hl7.org/fhir/v3/...)
// and the OIDs; the v3-Confidentiality codes ETH, HIV, PSY, SDV deprecated in favour of
// v3-ActCode count as those; SPI (specially protected) counts as ETH and PSY.
uint32_t label_bits(std::string_view system, std::string_view code);

// The rank of a v3-Confidentiality code, lowest first: U, L, M 0; N 1; R 2; V 3; -1 for
// any other code or system.
int confidentiality_rank(std::string_view system, std::string_view code);

// The labels of a resource, from its meta.security Codings.
uint32_t labels_of(const fhir::model::Element& resource);

// "HIV", "R", "Part2": a label's name in the rules file and in messages.
std::string_view label_name(Label label);
// The label with this name; 0 when there is none.
uint32_t label_from_name(std::string_view name);

// Adds to meta.security the Codings for `labels` the resource does not carry yet (meta
// created when missing, nothing duplicated), with the code systems' displays. The
// confidentiality stays one code, the highest: adding R or V replaces a lower one (U, L,
// M, N, or R when V is added). Part 2 data also gets the refrain NORDSCLCDS (no
// redisclosure without the information subject's consent directive).
void add_labels(fhir::model::Document& document, const fhir::definitions::Definitions& definitions,
                fhir::model::Element& resource, uint32_t labels);

// What the gateway knows about who wrote a resource.
struct SourceFacts {
  // The writing organization's Organization.type codings: (system, code).
  std::vector<std::pair<std::string, std::string>> organization_types;
};

// The labelling rules: value sets of sensitive codes, each giving labels to any resource
// that carries one of its codes anywhere outside meta, and rules on the source
// organization's type. Built once at start-up; apply() allocates only for what it finds.
class LabelRules {
 public:
  LabelRules();
  LabelRules(LabelRules&&) noexcept;
  LabelRules& operator=(LabelRules&&) noexcept;
  ~LabelRules();

  // Reads the rules (the format is described in labeling-rules.json itself); every
  // problem is an issue naming where in the file it is.
  static Result<LabelRules> load(std::string_view json);
  static Result<LabelRules> load_file(const std::filesystem::path& path);
  // The shipped rules file: $CAREBRIDGE_LABELING_RULES, else labeling-rules.json beside the
  // executable or in gateway/security/ of the tree it was built from.
  static std::filesystem::path default_path();

  struct Outcome {
    uint32_t labels = 0;
    bool confined = false;  // the record must not leave the writing organization (VAWA)
    std::vector<std::string> reasons;  // one line per value set or source rule that matched
  };
  Outcome apply(const fhir::model::Element& resource, const SourceFacts& source) const;

  size_t value_set_count() const;

  struct Tables;  // the lookup tables, defined in label_rules.cpp

 private:
  std::unique_ptr<Tables> tables_;
};

}  // namespace carebridge::gateway::security
