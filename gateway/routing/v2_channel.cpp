#include "gateway/routing/v2_channel.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <rapidjson/document.h>

#include "fhir/io/format.h"
#include "mappings/hl7v2/to_v2.h"

namespace carebridge::gateway::routing {

namespace {

std::string reference_key(const rapidjson::Value& r) {
  if (!r.IsObject() || !r.HasMember("reference") || !r["reference"].IsString()) return {};
  std::string ref = r["reference"].GetString();
  return ref.substr(0, ref.find("/_history/"));
}

// The focus and what ORU^R01 needs with it: its patient, and a report's results (those
// the subscriber may learn of).
std::string collection_for(const NotificationEvent& e, store::Store& store, const MayLearn& may_learn,
                           std::vector<store::ResourceRecord>& disclosed) {
  std::vector<std::string> bodies{e.body};
  rapidjson::Document focus;
  focus.Parse(e.body.c_str());
  std::vector<std::string> keys;
  if (focus.IsObject()) {
    for (const char* name : {"subject", "patient"})
      if (focus.HasMember(name)) keys.push_back(reference_key(focus[name]));
    if (focus.HasMember("result") && focus["result"].IsArray())
      for (const auto& r : focus["result"].GetArray()) keys.push_back(reference_key(r));
  }
  for (const std::string& key : keys) {
    size_t slash = key.find('/');
    if (slash == std::string::npos) continue;
    auto found = store.read(key.substr(0, slash), key.substr(slash + 1));
    if (!found || found->deleted || !may_learn(*found)) continue;
    bodies.push_back(found->body);
    disclosed.push_back(std::move(*found));
  }
  std::string bundle = R"({"resourceType":"Bundle","type":"collection","entry":[)";
  for (size_t i = 0; i < bodies.size(); ++i) {
    rapidjson::Document r;
    r.Parse(bodies[i].c_str());
    std::string full_url = r.IsObject() && r.HasMember("resourceType") && r.HasMember("id")
                               ? std::string(r["resourceType"].GetString()) + "/" + r["id"].GetString()
                               : "";
    bundle += (i ? "," : "") + std::string(R"({"fullUrl":")") + full_url + R"(","resource":)" + bodies[i] + "}";
  }
  return bundle + "]}";
}

}  // namespace

std::vector<std::string> v2_messages(const std::vector<NotificationEvent>& events, store::Store& store,
                                     const fhir::definitions::Definitions& definitions, const MayLearn& may_learn,
                                     std::vector<store::ResourceRecord>& disclosed, std::string_view subscription) {
  std::vector<std::string> out;
  // MSH-10 is at most 20 characters in v2.5.1: "CB", the id's last 8 (its random part), the event.
  std::string prefix = "CB" + std::string(subscription.substr(subscription.size() > 8 ? subscription.size() - 8 : 0));
  if (!subscription.empty()) prefix += "-";
  for (const NotificationEvent& e : events) {
    if (e.withheld) continue;  // the clinic may no longer learn of it
    if (e.body.empty() || e.event.deleted) continue;
    auto parsed = fhir::io::read(collection_for(e, store, may_learn, disclosed), definitions);
    if (!parsed.document || !parsed.document->root()) continue;
    mappings::hl7v2::ToV2Options options;
    options.control_id = prefix + std::to_string(e.number);
    auto messages = mappings::hl7v2::to_v2(*parsed.document->root(), options);
    if (!messages) continue;
    for (std::string& m : *messages) out.push_back(std::move(m));
  }
  return out;
}

bool send_mllp(const std::string& endpoint, const std::vector<std::string>& messages, int timeout_s, std::string& error) {
  std::string_view rest = std::string_view(endpoint).substr(7);  // after mllp://
  size_t colon = rest.rfind(':');
  std::string host(rest.substr(0, colon)), port(colon == std::string_view::npos ? "2575" : rest.substr(colon + 1));
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    boost::asio::connect(socket, boost::asio::ip::tcp::resolver(ioc).resolve(host, port));
    timeval timeout{timeout_s, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string buffer;
    for (const std::string& m : messages) {
      boost::asio::write(socket, boost::asio::buffer("\x0b" + m + "\x1c\r"));
      // An acknowledgement is small: at most a megabyte is read waiting for its end.
      size_t end = boost::asio::read_until(socket, boost::asio::dynamic_buffer(buffer, 1u << 20), "\x1c\r");
      std::string ack = buffer.substr(0, end);
      buffer.erase(0, end);
      size_t msa = ack.find("MSA|");
      std::string code = msa == std::string::npos ? "" : ack.substr(msa + 4, 2);
      if (code != "AA" && code != "CA") {
        error = "the v2 receiver answered " + (code.empty() ? std::string("no MSA") : code);
        return false;
      }
    }
    return true;
  } catch (const std::exception& e) {
    error = std::string("the v2 receiver could not be reached: ") + e.what();
    return false;
  }
}

}  // namespace carebridge::gateway::routing
