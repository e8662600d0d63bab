#include "gateway/security/scopes.h"

#include <algorithm>

namespace carebridge::gateway::security {
namespace {

bool is_type_name(std::string_view t) {
  if (t == "*") return true;
  if (t.empty() || t.size() > 64 || !(t[0] >= 'A' && t[0] <= 'Z')) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

// The permissions part: v2 "cruds" letters (in that order), or v1 read/write/*.
bool parse_permissions(std::string_view p, Scope& s) {
  if (p == "read") return s.read = s.search = true;
  if (p == "write") return s.create = s.update = s.del = true;
  if (p == "*") return s.create = s.read = s.update = s.del = s.search = true;
  static constexpr std::string_view kOrder = "cruds";
  size_t at = 0;
  for (char c : p) {
    size_t found = kOrder.find(c, at);
    if (found == std::string_view::npos) return false;
    at = found + 1;
    (c == 'c' ? s.create : c == 'r' ? s.read : c == 'u' ? s.update : c == 'd' ? s.del : s.search) = true;
  }
  return !p.empty();
}

bool parse_restrictions(std::string_view query, Scope& s) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == pair.size()) return false;
    s.restrictions.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return true;
}

Result<Scope> parse_scope(std::string_view text) {
  auto bad = [&](const char* why) {
    return Result<Scope>::failure("invalid", "the scope '" + std::string(text) + "' " + why);
  };
  size_t slash = text.find('/');
  std::string_view context = text.substr(0, slash);
  Scope s;
  if (context == "patient") s.context = Scope::Context::Patient;
  else if (context == "user") s.context = Scope::Context::User;
  else if (context == "system") s.context = Scope::Context::System;
  else return bad("is not patient/, user/ or system/");
  std::string_view rest = text.substr(slash + 1);
  size_t q = rest.find('?');
  std::string_view resource = rest.substr(0, q);
  size_t dot = resource.find('.');
  if (dot == std::string_view::npos) return bad("names no permissions (Type.cruds)");
  s.type = std::string(resource.substr(0, dot));
  if (!is_type_name(s.type)) return bad("names no resource type");
  if (!parse_permissions(resource.substr(dot + 1), s)) return bad("has permissions other than c, r, u, d, s in that order");
  if (q != std::string_view::npos && !parse_restrictions(rest.substr(q + 1), s)) return bad("has a malformed restriction");
  return s;
}

bool grants(const Scope& s, Interaction i) {
  switch (i) {
    case Interaction::Create: return s.create;
    case Interaction::Read: return s.read;
    case Interaction::Update: return s.update;
    case Interaction::Delete: return s.del;
    case Interaction::Search: return s.search;
  }
  return false;
}

bool covers(const Scope& s, Interaction i, std::string_view type) { return grants(s, i) && (s.type == "*" || s.type == type); }

// Whether `wide` grants everything `narrow` does.
bool subsumes(const Scope& wide, const Scope& narrow) {
  return wide.context == narrow.context && (wide.type == "*" || wide.type == narrow.type) &&
         (wide.create || !narrow.create) && (wide.read || !narrow.read) && (wide.update || !narrow.update) &&
         (wide.del || !narrow.del) && (wide.search || !narrow.search) &&
         (wide.restrictions.empty() || wide.restrictions == narrow.restrictions);
}

}  // namespace

Result<std::vector<Scope>> parse_scopes(std::string_view text) {
  std::vector<Scope> out;
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view one = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (one.empty() || one.find('/') == std::string_view::npos) continue;  // openid, launch, offline_access...
    if (one.starts_with("launch/")) continue;
    auto scope = parse_scope(one);
    if (!scope) return scope.issues();
    out.push_back(std::move(*scope));
  }
  return out;
}

std::vector<Scope> narrow_scopes(const std::vector<Scope>& requested, const std::vector<Scope>& allowed) {
  std::vector<Scope> out;
  for (const Scope& r : requested) {
    for (const Scope& a : allowed) {
      if (a.context != r.context || (a.type != "*" && r.type != "*" && a.type != r.type)) continue;
      if (!a.restrictions.empty() && !r.restrictions.empty() && a.restrictions != r.restrictions) continue;
      Scope s = r;
      if (s.type == "*") s.type = a.type;  // a wildcard request gets the types the client has
      if (s.restrictions.empty()) s.restrictions = a.restrictions;  // and keeps their restrictions
      s.create &= a.create, s.read &= a.read, s.update &= a.update, s.del &= a.del, s.search &= a.search;
      if (s.create || s.read || s.update || s.del || s.search) out.push_back(std::move(s));
    }
  }
  // Leave out what another granted scope already grants (the first of equal ones stays).
  std::vector<Scope> kept;
  for (size_t i = 0; i < out.size(); ++i) {
    bool redundant = false;
    for (size_t j = 0; j < out.size() && !redundant; ++j) {
      redundant = j != i && subsumes(out[j], out[i]) && (j < i || !subsumes(out[i], out[j]));
    }
    if (!redundant) kept.push_back(out[i]);
  }
  return kept;
}

bool allows(const std::vector<Scope>& scopes, Interaction interaction, std::string_view type) {
  return std::any_of(scopes.begin(), scopes.end(), [&](const Scope& s) { return covers(s, interaction, type); });
}

std::vector<std::pair<std::string, std::string>> restrictions(const std::vector<Scope>& scopes, Interaction interaction,
                                                              std::string_view type) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Scope& s : scopes) {
    if (!covers(s, interaction, type)) continue;
    if (s.restrictions.empty()) return {};
    out.insert(out.end(), s.restrictions.begin(), s.restrictions.end());
  }
  return out;
}

std::string to_string(const Scope& s) {
  std::string out = s.context == Scope::Context::Patient ? "patient/" : s.context == Scope::Context::User ? "user/" : "system/";
  out += s.type + ".";
  if (s.create) out += 'c';
  if (s.read) out += 'r';
  if (s.update) out += 'u';
  if (s.del) out += 'd';
  if (s.search) out += 's';
  for (size_t i = 0; i < s.restrictions.size(); ++i) {
    out += (i ? "&" : "?") + s.restrictions[i].first + "=" + s.restrictions[i].second;
  }
  return out;
}

std::string to_string(const std::vector<Scope>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + to_string(s);
  return out;
}

}  // namespace carebridge::gateway::security
