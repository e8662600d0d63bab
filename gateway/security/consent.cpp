// Deciding with a ConsentPolicy (consent.h). Every condition of a provision answers Yes,
// No or Unknown (cannot be checked with the facts of the query); a provision that matches
// only as far as Unknown may still deny but never permits.
#include "gateway/security/consent.h"

#include "gateway/security/labels.h"

namespace carebridge::gateway::security {
namespace {

using Provision = ConsentPolicy::Provision;

enum class Match : uint8_t { No, Yes, Unknown };

Match any_of(bool yes, bool unknown) { return yes ? Match::Yes : unknown ? Match::Unknown : Match::No; }

// v3 PurposeOfUse (v3-ActReason, as in FHIR R4): each code with its parent.
struct PurposeParent {
  std::string_view code;
  std::string_view parent;
};
constexpr PurposeParent kPurposeParents[] = {
    {"CAREMGT", "HOPERAT"},   {"DONAT", "HOPERAT"},     {"FRAUD", "HOPERAT"},      {"GOV", "HOPERAT"},
    {"HACCRED", "HOPERAT"},   {"HCOMPL", "HOPERAT"},    {"HDECD", "HOPERAT"},      {"HDIRECT", "HOPERAT"},
    {"HDM", "HOPERAT"},       {"HLEGAL", "HOPERAT"},    {"HOUTCOMS", "HOPERAT"},   {"HPRGRP", "HOPERAT"},
    {"HQUALIMP", "HOPERAT"},  {"HSYSADMIN", "HOPERAT"}, {"LABELING", "HSYSADMIN"}, {"METAMGT", "HSYSADMIN"},
    {"MEMADMIN", "HOPERAT"},  {"MILCDM", "HOPERAT"},    {"PATADMIN", "HOPERAT"},   {"PATSFTY", "HOPERAT"},
    {"PERFMSR", "HOPERAT"},   {"RECORDMGT", "HOPERAT"}, {"SYSDEV", "HOPERAT"},     {"HTEST", "SYSDEV"},
    {"TRAIN", "HOPERAT"},     {"CLMATTCH", "HPAYMT"},   {"COVAUTH", "HPAYMT"},     {"COVERAGE", "HPAYMT"},
    {"ELIGDTRM", "COVERAGE"}, {"ELIGVER", "COVERAGE"},  {"ENROLLM", "COVERAGE"},   {"MILDCRG", "COVERAGE"},
    {"REMITADV", "HPAYMT"},   {"BIORCH", "HRESCH"},     {"CLINTRCH", "HRESCH"},    {"CLINTRCHNPC", "CLINTRCH"},
    {"CLINTRCHPC", "CLINTRCH"}, {"PRECLINTRCH", "CLINTRCH"}, {"DSRCH", "HRESCH"},  {"POARCH", "HRESCH"},
    {"TRANSRCH", "HRESCH"},   {"FAMRQT", "PATRQT"},     {"PWATRNY", "PATRQT"},     {"SUPNWK", "PATRQT"},
    {"DISASTER", "PUBHLTH"},  {"THREAT", "PUBHLTH"},    {"CLINTRL", "TREAT"},      {"COC", "TREAT"},
    {"ETREAT", "TREAT"},      {"BTG", "ETREAT"},        {"ERTREAT", "ETREAT"},     {"POPHLTH", "TREAT"},
};

// Whether the purpose asked for is the listed one or falls under it (ETREAT under TREAT).
bool purpose_within(std::string_view asked, std::string_view listed) {
  for (int depth = 0; depth < 8 && !asked.empty(); ++depth) {
    if (asked == listed) return true;
    std::string_view parent;
    for (const auto& entry : kPurposeParents) {
      if (entry.code == asked) parent = entry.parent;
    }
    asked = parent;
  }
  return false;
}

bool within(const Provision::Period& period, int64_t ms) {
  return (!period.start_ms || ms >= *period.start_ms) && (!period.end_ms || ms < *period.end_ms);
}

bool same_action(std::string_view listed, std::string_view asked) {
  auto release = [](std::string_view a) { return a == "access" || a == "disclose"; };
  return listed == asked || (release(listed) && release(asked));
}

Match match_actors(const Provision& p, const ConsentQuery& q) {
  if (p.actors.empty()) return Match::Yes;
  bool unknown = false;
  for (const std::string& actor : p.actors) {
    const bool requester = actor.starts_with("Organization/") && std::string_view(actor).substr(13) == q.actor_org;
    if (requester && !q.actor_org.empty()) return Match::Yes;
    if (actor.empty() || !q.actor_matches) {
      unknown = true;  // by identifier only, or a care team, practitioner or other organization nobody resolves
    } else if (q.actor_matches(actor)) {
      return Match::Yes;
    }
  }
  return any_of(false, unknown);
}

template <typename Same>
Match match_codes(const std::vector<std::string>& listed, Same same) {
  if (listed.empty()) return Match::Yes;
  bool yes = false, unknown = false;
  for (const std::string& code : listed) {
    if (code.empty()) {
      unknown = true;
    } else {
      yes = yes || same(code);
    }
  }
  return any_of(yes, unknown);
}

// securityLabel. Deny reading: the provision covers a resource carrying any listed label,
// and a listed confidentiality code covers everything at or below it ("R ... applies to all
// resources labeled R or lower", R4 Consent.provision.securityLabel) - and, failing safe,
// above it too. Permit reading: the resource must carry a listed label (or fall under a
// listed confidentiality) and every sensitivity it carries must be listed (subsumption: ETH
// and 42 CFR Part 2 cover each other), and its confidentiality must not exceed the listed
// one (a listed sensitivity accounts for R, never for V). Yes when the permit reading holds,
// Unknown when only the deny reading does, No when neither.
Match match_labels(const Provision& p, const ConsentQuery& q) {
  if (!p.has_label) return Match::Yes;
  const uint32_t sensitivities = q.labels & kSensitive & ~(ConfidentialityR | ConfidentialityV);
  const int rank = (q.labels & ConfidentialityV) ? 3 : (q.labels & ConfidentialityR) ? 2 : 1;
  uint32_t listed = p.label_bits;
  if (listed & (ETH | Part2)) listed |= ETH | Part2;
  const bool carries = (listed & q.labels) != 0;
  const bool deny_reading = carries || p.confidentiality >= 0;

  const uint32_t covered = listed & ~OtherSensitive;
  int allowed = p.confidentiality;
  if (carries && allowed < 2) allowed = 2;
  const bool permit_reading = deny_reading && (sensitivities & ~covered) == 0 && rank <= allowed;
  if (permit_reading) return Match::Yes;
  return deny_reading || p.unknown_label ? Match::Unknown : Match::No;
}

Match match_data(const Provision& p, const ConsentQuery& q) {
  if (p.data.empty()) return Match::Yes;
  bool yes = false, unknown = false;
  for (const auto& data : p.data) {
    bool same = !data.reference.empty() && data.reference == q.resource_ref;
    if (data.meaning == "authoredby" || data.reference.empty()) {
      unknown = true;  // who authored the resource, or a reference by identifier: not known here
    } else if (same) {
      yes = true;
    } else if (data.meaning != "instance") {
      unknown = true;  // related or dependent resources: the links are not known here
    }
  }
  return any_of(yes, unknown);
}

// All the provision's own conditions together: No if one is No, else Unknown if one is.
Match match(const Provision& p, const ConsentQuery& q) {
  const Match parts[] = {
      !p.period || within(*p.period, q.now_ms) ? Match::Yes : Match::No,
      match_actors(p, q),
      match_codes(p.actions, [&](const std::string& code) { return same_action(code, q.action); }),
      match_labels(p, q),
      match_codes(p.purposes, [&](const std::string& code) { return purpose_within(q.purpose, code); }),
      match_codes(p.classes, [&](const std::string& code) { return code == q.resource_type; }),
      p.has_code ? Match::Unknown : Match::Yes,
      !p.data_period ? Match::Yes
      : !q.data_time_ms ? Match::Unknown
      : within(*p.data_period, *q.data_time_ms) ? Match::Yes
                                                 : Match::No,
      match_data(p, q),
  };
  Match out = Match::Yes;
  for (Match part : parts) {
    if (part == Match::No) return Match::No;
    if (part == Match::Unknown) out = Match::Unknown;
  }
  return out;
}

// Sensitive records (kSensitive: R or V confidentiality, substance use and 42 CFR Part 2,
// HIV, mental health, violence, sexually transmitted disease) need a consent that names them
// (DESIGN: "data labelled sensitive needs explicit consent"; 42 CFR 2.31: the information to
// be disclosed is described): a provision on the path that lists security labels, which
// match_labels has already found to cover every sensitivity and the confidentiality the
// record carries, or one that names the record itself. "Share my records with the clinic"
// does not share an HIV result.
bool names_sensitive(const Provision& p, const ConsentQuery& q) {
  if (p.has_label) return true;
  for (const auto& data : p.data) {
    if (data.meaning != "authoredby" && data.reference == q.resource_ref) return true;
  }
  return false;
}

// The decision of the deepest applicable provision at or below `p`; nullopt when none decides.
std::optional<Decision> evaluate(const Provision& p, const ConsentQuery& q, bool uncertain, bool named) {
  const Match m = match(p, q);
  if (m == Match::No) return std::nullopt;
  uncertain = uncertain || m == Match::Unknown;
  named = named || names_sensitive(p, q);
  std::optional<Decision> nested;
  for (const Provision& child : p.provisions) {
    auto decision = evaluate(child, q, uncertain, named);
    if (decision == Decision::Deny) return Decision::Deny;  // among siblings, a deny wins
    if (decision) nested = decision;
  }
  if (nested) return nested;
  if (p.type == Provision::Type::Deny) return Decision::Deny;
  if (p.type == Provision::Type::Permit && !uncertain && (named || !(q.labels & kSensitive))) return Decision::Permit;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Decision decision) {
  switch (decision) {
    case Decision::Permit: return "permit";
    case Decision::Deny: return "deny";
    case Decision::NotApplicable: return "not-applicable";
  }
  return "not-applicable";
}

Decision ConsentPolicy::decide(const ConsentQuery& query) const {
  if (status_ != "active" || !privacy_scope_) return Decision::NotApplicable;
  if (root_.period && !within(*root_.period, query.now_ms)) return Decision::NotApplicable;
  if (auto decision = evaluate(root_, query, false, false)) return *decision;
  switch (base_) {
    case BasePolicy::OptIn: return (query.labels & kSensitive) ? Decision::NotApplicable : Decision::Permit;
    case BasePolicy::OptOut: return Decision::Deny;
    case BasePolicy::None: return Decision::NotApplicable;
  }
  return Decision::NotApplicable;
}

Decision decide_all(const std::vector<std::shared_ptr<const ConsentPolicy>>& policies, const ConsentQuery& query) {
  bool permit = false;
  for (const auto& policy : policies) {
    if (!policy) continue;
    Decision decision = policy->decide(query);
    if (decision == Decision::Deny) return Decision::Deny;
    permit = permit || decision == Decision::Permit;
  }
  return permit ? Decision::Permit : Decision::NotApplicable;
}

}  // namespace carebridge::gateway::security
