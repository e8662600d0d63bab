#include "app/security_setup.h"

#include <rapidjson/document.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "fhir/time/fhir_time.h"

namespace carebridge::app {
namespace {

namespace security = gateway::security;

// The writing organizations' Organization.type codings, read from the store and kept a
// minute — but dropped as soon as any Organization is written: a victim service provider
// that stores its Organization (or changes its type) labels what it writes next at once.
// Cached answers read before such a write are not kept (the generation tells), so a read
// racing the write cannot keep the old answer for a minute.
class OrganizationKinds : public gateway::store::CommitHook {
 public:
  explicit OrganizationKinds(gateway::store::Store& store) : store_(store) {}

  security::SourceFacts of(const std::string& organization) {
    if (organization.empty()) return {};
    int64_t now = fhir::time::now_ms();
    uint64_t generation;
    {
      std::lock_guard lock(mutex_);
      auto it = cache_.find(organization);
      if (it != cache_.end() && now - it->second.first < 60000) return it->second.second;
      generation = generation_;
    }
    security::SourceFacts facts = read(organization);
    std::lock_guard lock(mutex_);
    if (generation != generation_) return facts;
    if (cache_.size() > 10000) cache_.clear();
    cache_[organization] = {now, facts};
    return facts;
  }

  // Dropped when the write is seen and again once it is committed: a read between the two
  // still sees the version before it, and must not be kept either.
  Result<void> on_write(const gateway::store::WriteEvent& event, gateway::store::CommitLog&) override {
    if (event.record.type == "Organization") {
      forget();
      written_ = true;  // the writer's thread alone calls on_write and ended
    }
    return {};
  }
  void ended(bool) override {
    if (written_) forget();
    written_ = false;
  }

 private:
  void forget() {
    std::lock_guard lock(mutex_);
    ++generation_;
    cache_.clear();
  }

  security::SourceFacts read(const std::string& organization) {
    security::SourceFacts facts;
    auto record = store_.read("Organization", organization);
    rapidjson::Document json;
    if (record && !record->deleted && !json.Parse(record->body.c_str()).HasParseError() && json.IsObject()) {
      auto types = json.FindMember("type");
      if (types != json.MemberEnd() && types->value.IsArray()) {
        for (const auto& type : types->value.GetArray()) add_codings(type, facts);
      }
    }
    return facts;
  }

  static void add_codings(const rapidjson::Value& codeable, security::SourceFacts& facts) {
    if (!codeable.IsObject()) return;
    auto codings = codeable.FindMember("coding");
    if (codings == codeable.MemberEnd() || !codings->value.IsArray()) return;
    for (const auto& c : codings->value.GetArray()) {
      if (!c.IsObject() || !c.HasMember("system") || !c.HasMember("code") || !c["system"].IsString() ||
          !c["code"].IsString())
        continue;
      facts.organization_types.emplace_back(c["system"].GetString(), c["code"].GetString());
    }
  }

  gateway::store::Store& store_;
  std::mutex mutex_;
  uint64_t generation_ = 0;  // Organization writes seen so far (twice each)
  bool written_ = false;     // the commit in progress writes an Organization
  std::unordered_map<std::string, std::pair<int64_t, security::SourceFacts>> cache_;
};

}  // namespace

std::string database_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "carebridge.db").string();
}

std::optional<std::string> command_database(const std::string& data_dir, const std::string& config_file,
                                            const std::string& command) {
  std::string dir = data_dir;
  if (!config_file.empty()) {
    std::string error;
    auto config = gateway::config::load_file(config_file, error);
    if (!config) {
      std::cerr << command << ": " << error << "\n";
      return std::nullopt;
    }
    dir = config->data_dir;
  }
  try {
    { gateway::store::SqliteStore store(gateway::store::SqliteOptions{dir, 1}); }  // its schema made
    return database_path(dir);
  } catch (const std::exception& e) {
    std::cerr << command << ": cannot open the store in " << dir << ": " << e.what() << "\n";
    return std::nullopt;
  }
}

std::unique_ptr<Security> set_up_security(const gateway::config::Config& config,
                                          const std::filesystem::path& definitions_dir,
                                          const fhir::definitions::Definitions& definitions,
                                          const fhir::search::SearchRegistry& registry,
                                          gateway::store::SqliteStore& store) {
  auto s = std::make_unique<Security>();
  std::optional<security::PatientCompartment> compartment;
  try {
    s->clients = std::make_unique<security::ClientRegistry>(database_path(config.data_dir));
    auto key = security::load_or_create_signing_key(std::filesystem::path(config.data_dir) / "token-signing-key.jwk");
    if (!key) throw std::runtime_error(key.issues().front().message);
    // Behind a proxy the tokens' issuer is the public address's origin, unless configured.
    gateway::config::Auth auth = config.auth;
    if (auth.issuer.empty() && !config.public_base_url.empty())
      auth.issuer = config.public_base_url.substr(0, config.public_base_url.find('/', config.public_base_url.find("://") + 3));
    s->tokens = std::make_unique<security::TokenService>(*s->clients, std::move(*key),
                                                         security::TokenServiceOptions{auth, config.base_path});
    auto patient = security::PatientCompartment::load(definitions_dir / "r4/compartmentdefinition-patient.json",
                                                      registry);
    if (!patient) throw std::runtime_error(patient.issues().front().message);
    compartment.emplace(std::move(*patient));
    auto rules = security::LabelRules::load_file(security::LabelRules::default_path());
    if (!rules) throw std::runtime_error("the labelling rules: " + rules.issues().front().message);
    s->labels = std::make_shared<security::LabelRules>(std::move(*rules));
  } catch (const std::exception& e) {
    std::cerr << "carebridge serve: security: " << e.what() << "\n";
    return nullptr;
  }
  s->relationships = std::make_shared<security::CareRelationships>();
  s->relationships->load(store);
  store.add_commit_hook(s->relationships);
  s->consents = std::make_shared<security::ConsentIndex>(definitions);
  s->consents->load(store);
  store.add_commit_hook(s->consents);
  s->access = std::make_unique<security::AccessPolicy>(std::move(*compartment), *s->relationships, store);
  s->access->set_sensitive_labels(security::kSensitive);
  s->access->set_consent_check([consents = s->consents](std::string_view patient, const security::Principal& who,
                                                         std::string_view type, std::string_view id, uint32_t labels,
                                                         std::string_view custodian) {
    return consents->decide(patient, who, type, id, labels, custodian);
  });
  auto kinds = std::make_shared<OrganizationKinds>(store);
  store.add_commit_hook(kinds);
  s->access->set_labelling([rules = s->labels, kinds, &definitions](const security::Principal* who,
                                                                    fhir::model::Document& doc,
                                                                    fhir::model::Element& resource) {
    auto outcome = rules->apply(resource, who ? kinds->of(who->organization) : security::SourceFacts{});
    if (outcome.labels) security::add_labels(doc, definitions, resource, outcome.labels);
    uint32_t labels = security::labels_of(resource);
    return security::Labelling{labels, outcome.confined || (labels & security::OriginatorControlled) != 0};
  });
  return s;
}

}  // namespace carebridge::app
