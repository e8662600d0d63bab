// `carebridge users add|list|disable`: the people who sign in to the gateway's pages,
// each of a registered organization, kept in the store.
#include <iostream>
#include <string>

#include "app/command.h"
#include "app/security_setup.h"
#include "gateway/security/users.h"

namespace carebridge::app {
namespace {

constexpr const char* kUsage =
    "usage: carebridge users add NAME --organization ORG [--admin] [--data-dir DIR | --config FILE]\n"
    "         (the password is read from standard input, its first line: at least 12 characters)\n"
    "       carebridge users list [--data-dir DIR | --config FILE]\n"
    "       carebridge users disable NAME [--data-dir DIR | --config FILE]\n";

struct UserArguments {
  std::string action, data_dir = "data", config_file;
  gateway::security::User user;
};

bool parse(const Arguments& arguments, UserArguments& out) {
  const auto& a = arguments.args;
  if (a.empty()) return false;
  out.action = a[0];
  for (size_t i = 1; i < a.size(); ++i) {
    auto value = [&](std::string& target) { return i + 1 < a.size() ? (target = a[++i], true) : false; };
    bool ok = (a[i] == "--organization" && value(out.user.organization)) || (a[i] == "--data-dir" && value(out.data_dir)) ||
              (a[i] == "--config" && value(out.config_file));
    if (a[i] == "--admin") ok = out.user.admin = true;
    if (!ok && out.user.name.empty() && !a[i].empty() && a[i][0] != '-') ok = !(out.user.name = a[i]).empty();
    if (!ok) return false;
  }
  return true;
}

std::unique_ptr<gateway::security::UserRegistry> open_registry(const UserArguments& u) {
  auto database = command_database(u.data_dir, u.config_file, "carebridge users");
  return database ? std::make_unique<gateway::security::UserRegistry>(*database) : nullptr;
}

int add(gateway::security::UserRegistry& registry, const UserArguments& u) {
  if (u.user.name.empty() || u.user.organization.empty()) return std::cerr << kUsage, 2;
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (auto added = registry.add(u.user, password); !added) {
    std::cerr << "carebridge users add: " << added.issues().front().message << "\n";
    return 1;
  }
  std::cout << "added " << u.user.name << " of Organization/" << u.user.organization << (u.user.admin ? " (administrator)" : "")
            << "\n";
  return 0;
}

}  // namespace

int users_command(const Arguments& arguments) {
  UserArguments u;
  if (!parse(arguments, u) || (u.action != "add" && u.action != "list" && u.action != "disable")) return std::cerr << kUsage, 2;
  auto registry = open_registry(u);
  if (!registry) return 1;
  if (u.action == "add") return add(*registry, u);
  if (u.action == "list") {
    for (const auto& user : registry->list())
      std::cout << user.name << "\t" << user.organization << "\t" << (user.admin ? "admin" : "staff") << "\t"
                << (user.disabled ? "disabled" : "active") << "\n";
    return 0;
  }
  if (u.user.name.empty()) return std::cerr << kUsage, 2;
  if (auto disabled = registry->disable(u.user.name); !disabled) {
    std::cerr << "carebridge users disable: " << disabled.issues().front().message << "\n";
    return 1;
  }
  std::cout << "disabled " << u.user.name << "\n";
  return 0;
}

}  // namespace carebridge::app
