// Matching request paths against the route table: exact paths, prefixes and
// templates with {named} segments.
#include "gateway/pipeline/routes.h"

namespace carebridge::gateway::pipeline {
namespace {

// "/a/{b}/c" against "/a/x/c": true, with b = x. Segments are compared whole.
bool match_template(std::string_view pattern, std::string_view path, RouteParams& params) {
  while (!pattern.empty() && !path.empty()) {
    auto p_end = pattern.find('/', 1);
    auto s_end = path.find('/', 1);
    std::string_view p = pattern.substr(0, p_end), s = path.substr(0, s_end);
    if (p.size() > 3 && p[1] == '{' && p.back() == '}') {
      if (s.size() < 2) return false;
      params.emplace_back(std::string(p.substr(2, p.size() - 3)), std::string(s.substr(1)));
    } else if (p != s) {
      return false;
    }
    pattern = p_end == std::string_view::npos ? std::string_view() : pattern.substr(p_end);
    path = s_end == std::string_view::npos ? std::string_view() : path.substr(s_end);
  }
  return pattern.empty() && path.empty();
}

}  // namespace

void RouteTable::add(Route route) { routes_.push_back(std::move(route)); }

const Route* RouteTable::match(std::string_view path, RouteParams& params) const {
  for (const auto& route : routes_) {
    params.clear();
    if (route.prefix) {
      if (path == route.path || (path.starts_with(route.path) && path[route.path.size()] == '/')) return &route;
      continue;
    }
    if (route.path.find('{') == std::string::npos ? path == route.path : match_template(route.path, path, params)) {
      return &route;
    }
  }
  params.clear();
  return nullptr;
}

std::string_view route_param(const RouteParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace carebridge::gateway::pipeline
