// `carebridge clients add|list|revoke`: the registered clients that get tokens from
// the gateway's token endpoint (SMART Backend Services), kept in the store.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <iostream>
#include <sstream>

#include "app/command.h"
#include "app/security_setup.h"
#include "gateway/config/config.h"
#include "gateway/security/clients.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage =
    "usage: carebridge clients add ID --organization ORG --jwks FILE --scope SCOPES [--name TEXT]\n"
    "                              [--certificate PEM]  (mutual TLS: the certificate stands for a token)\n"
    "                              [--patient ID] [--admin] [--data-dir DIR | --config FILE]\n"
    "       carebridge clients list [--data-dir DIR | --config FILE]\n"
    "       carebridge clients revoke ID [--data-dir DIR | --config FILE]\n"
    "       carebridge clients keygen --out DIR [--alg ES256|ES384|RS256]\n"
    "       carebridge clients assertion ID --key FILE --aud TOKEN_URL\n"
    "\n"
    "ID is the client_id the client puts in its assertions (iss and sub); FILE holds its\n"
    "public keys as a JWK Set; SCOPES are the SMART scopes it may be granted, space separated\n"
    "(\"system/*.rs\", \"system/Observation.cruds\", \"system/Patient.rs?...\").\n";

struct ClientArguments {
  std::string action, id, data_dir = "data", config_file, jwks_file, out_dir, alg = "ES256", key_file, audience;
  std::string certificate_file;
  gateway::security::Client client;
};

bool parse(const Arguments& arguments, ClientArguments& out) {
  const auto& a = arguments.args;
  if (a.empty()) return false;
  out.action = a[0];
  for (size_t i = 1; i < a.size(); ++i) {
    auto value = [&](std::string& target) { return i + 1 < a.size() ? (target = a[++i], true) : false; };
    bool ok = (a[i] == "--organization" && value(out.client.organization)) ||
              (a[i] == "--jwks" && value(out.jwks_file)) || (a[i] == "--certificate" && value(out.certificate_file)) || (a[i] == "--scope" && value(out.client.scopes)) ||
              (a[i] == "--name" && value(out.client.name)) || (a[i] == "--patient" && value(out.client.patient)) ||
              (a[i] == "--data-dir" && value(out.data_dir)) || (a[i] == "--config" && value(out.config_file)) ||
              (a[i] == "--out" && value(out.out_dir)) || (a[i] == "--alg" && value(out.alg)) ||
              (a[i] == "--key" && value(out.key_file)) || (a[i] == "--aud" && value(out.audience));
    if (a[i] == "--admin") ok = out.client.admin = true;
    if (!ok && out.id.empty() && !a[i].empty() && a[i][0] != '-') ok = !(out.id = a[i]).empty();
    if (!ok) return false;
  }
  return true;
}

// Opens the store once (so that its schema exists), then the registry in its database.
std::unique_ptr<gateway::security::ClientRegistry> open_registry(const ClientArguments& c) {
  auto database = command_database(c.data_dir, c.config_file, "carebridge clients");
  return database ? std::make_unique<gateway::security::ClientRegistry>(*database) : nullptr;
}

// A file's text; false (having said so) when it cannot be read.
bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "carebridge clients add: cannot read " << path << "\n";
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

int add(gateway::security::ClientRegistry& registry, ClientArguments& c) {
  if (c.id.empty() || (c.jwks_file.empty() && c.certificate_file.empty()) || c.client.scopes.empty()) {
    std::cerr << "carebridge clients add: needs an ID, --jwks FILE (or --certificate FILE) and --scope SCOPES\n"
              << kUsage;
    return 2;
  }
  c.client.id = c.id;
  if (!c.jwks_file.empty() && !read_file(c.jwks_file, c.client.jwks)) return 1;
  if (!c.certificate_file.empty()) {
    std::string pem;
    if (!read_file(c.certificate_file, pem)) return 1;
    auto fingerprint = gateway::security::certificate_fingerprint(pem);
    if (!fingerprint) return std::cerr << "carebridge clients add: " << c.certificate_file << " is not a PEM certificate\n", 1;
    c.client.certificate = *fingerprint;
  }
  if (auto added = registry.add(c.client); !added) {
    std::cerr << "carebridge clients add: " << added.issues().front().message << "\n";
    return 1;
  }
  std::cout << "registered client " << c.id << (c.client.organization.empty() ? "" : " of Organization/")
            << c.client.organization << " with scopes: " << c.client.scopes << "\n";
  return 0;
}

// A key pair for a client: the private JWK (kept by the client) and the public JWK Set
// (given to `clients add --jwks`).
int keygen(const ClientArguments& c) {
  if (c.out_dir.empty()) return std::cerr << kUsage, 2;
  auto key = gateway::security::generate_key(c.alg, "key-1");
  if (!key) return std::cerr << "carebridge clients keygen: " << key.issues().front().message << "\n", 1;
  std::filesystem::create_directories(c.out_dir);
  auto private_file = std::filesystem::path(c.out_dir) / "private-key.jwk";
  std::ofstream(private_file) << gateway::security::private_jwk_json(*key);
  std::filesystem::permissions(private_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ofstream(std::filesystem::path(c.out_dir) / "public-keys.jwks") << gateway::security::public_jwks_json({*key});
  std::cout << "wrote " << private_file.string() << " (keep it secret) and "
            << (std::filesystem::path(c.out_dir) / "public-keys.jwks").string() << "\n";
  return 0;
}

// A signed client assertion (RFC 7523) for the token endpoint, valid for 5 minutes.
int assertion(const ClientArguments& c) {
  if (c.id.empty() || c.key_file.empty() || c.audience.empty()) return std::cerr << kUsage, 2;
  std::ifstream in(c.key_file);
  std::stringstream text;
  text << in.rdbuf();
  auto keys = gateway::security::parse_jwks(text.str());
  if (!keys || !keys->front().has_private)
    return std::cerr << "carebridge clients assertion: " << c.key_file << " holds no private key\n", 1;
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  std::string jti = gateway::security::base64url_encode(std::to_string(now) + "-" + std::to_string(std::random_device{}()));
  std::string payload = "{\"iss\":\"" + c.id + "\",\"sub\":\"" + c.id + "\",\"aud\":\"" + c.audience +
                        "\",\"exp\":" + std::to_string(now + 300) + ",\"jti\":\"" + jti + "\"}";
  auto token = gateway::security::sign_jwt(keys->front(), payload);
  if (!token) return std::cerr << "carebridge clients assertion: " << token.issues().front().message << "\n", 1;
  std::cout << *token << "\n";
  return 0;
}

}  // namespace

int clients_command(const Arguments& arguments) {
  ClientArguments c;
  bool parsed = parse(arguments, c);
  bool known = c.action == "add" || c.action == "list" || c.action == "revoke";
  if (!parsed || !(known || c.action == "keygen" || c.action == "assertion")) {
    std::cerr << kUsage;
    return 2;
  }
  if (c.action == "keygen") return keygen(c);
  if (c.action == "assertion") return assertion(c);
  auto registry = open_registry(c);
  if (!registry) return 1;
  if (c.action == "add") return add(*registry, c);
  if (c.action == "revoke") {
    if (auto revoked = registry->revoke(c.id); !revoked) {
      std::cerr << "carebridge clients revoke: " << revoked.issues().front().message << "\n";
      return 1;
    }
    std::cout << "revoked client " << c.id << ": its tokens stop working within seconds\n";
    return 0;
  }
  for (const auto& client : registry->list()) {
    std::cout << client.id << "\t" << (client.revoked ? "revoked" : "active") << "\torganization="
              << client.organization << "\tscopes=" << client.scopes << (client.admin ? "\tadmin" : "") << "\t"
              << client.name << "\n";
  }
  return 0;
}

}  // namespace carebridge::app
