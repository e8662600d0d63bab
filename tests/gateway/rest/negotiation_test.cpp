// Request targets, content negotiation and Prefer, without a server.
#include <catch2/catch.hpp>

#include "fhir/search/index.h"
#include "gateway/rest/negotiation.h"

using namespace carebridge::gateway;
using carebridge::fhir::io::Format;

TEST_CASE("targets, formats and Prefer are read as FHIR clients write them", "[gateway][negotiation]") {
  auto t = rest::parse_target("/fhir/Patient?name=O%27Brien&given=Ana+Mar%C3%ADa&identifier=urn:mrn%7C1");
  CHECK(t.path == "/fhir/Patient");
  REQUIRE(t.params.size() == 3);
  CHECK(t.params[0].second == "O'Brien");
  CHECK(t.params[1].second == "Ana María");
  CHECK(t.params[2].second == "urn:mrn|1");
  CHECK(rest::url_decode("%zz%4") == "%zz%4");

  http::Request r;
  CHECK(rest::negotiate(r, {}).format == Format::Json);
  r.headers = {{"Accept", "text/html, application/fhir+xml;q=0.9"}};
  CHECK(rest::negotiate(r, {}).format == Format::Xml);
  CHECK(rest::negotiate(r, {{"_format", "json"}}).format == Format::Json);
  CHECK(!rest::negotiate(r, {{"_format", "turtle"}}).acceptable);
  r.headers = {{"Accept", "image/png"}};
  CHECK(!rest::negotiate(r, {}).acceptable);
  r.headers = {{"Content-Type", "application/fhir+xml"}};
  r.body = "<Patient/>";
  CHECK(rest::negotiate(r, {}).format == Format::Xml);  // no Accept: answer in the request's format
  CHECK(rest::body_format(r) == Format::Xml);

  auto p = rest::parse_prefer("return=minimal; handling=strict");
  CHECK(p.return_ == rest::Return::Minimal);
  CHECK(p.strict);
  CHECK(rest::parse_prefer("return=OperationOutcome").return_ == rest::Return::OperationOutcome);

  CHECK(carebridge::fhir::search::fold("ÉLODIE Müller") == "elodie muller");
  CHECK(carebridge::fhir::search::reference_key("Patient/1/_history/2") == "Patient/1");
  CHECK(carebridge::fhir::search::reference_key("https://x.org/fhir/Patient/1") == "Patient/1");
  CHECK(carebridge::fhir::search::reference_key("#contained").empty());
}

TEST_CASE("Accept quality values rank the formats and q=0 refuses one", "[gateway][negotiation]") {
  http::Request r;
  auto format_for = [&](const std::string& accept) {
    r.headers = {{"Accept", accept}};
    return rest::negotiate(r, {});
  };
  CHECK(format_for("application/fhir+xml;q=0.9, application/fhir+json;q=1").format == Format::Json);
  CHECK(format_for("application/fhir+json; q=0, application/fhir+xml").format == Format::Xml);
  CHECK(!format_for("application/fhir+json;q=0").acceptable);
  CHECK(format_for("application/fhir+json;q=0, */*;q=0.1").acceptable);
  // HAPI's generic client: equal qualities, the first listed wins.
  CHECK(format_for("application/fhir+xml;q=1.0, application/fhir+json;q=1.0, application/xml+fhir;q=0.9, application/json+fhir;q=0.9")
            .format == Format::Xml);
  CHECK(format_for("application/fhir+json;fhirVersion=4.0;q=0.8, application/fhir+xml;q=0.5").format == Format::Json);
}

TEST_CASE("a fhirVersion other than R4's is not a format this server writes or reads", "[gateway][negotiation]") {
  http::Request r;
  auto accept = [&](const std::string& value) {
    r.headers = {{"Accept", value}};
    return rest::negotiate(r, {});
  };
  CHECK(!accept("application/fhir+json; fhirVersion=3.0").acceptable);  // 406, not R4 content labelled STU3
  CHECK(!accept("application/fhir+xml;fhirVersion=\"5.0\"").acceptable);
  CHECK(accept("application/fhir+json; fhirVersion=4.0").acceptable);
  CHECK(accept("application/fhir+json; fhirVersion=4.0.1").acceptable);
  CHECK(accept("application/fhir+json; fhirVersion=3.0, application/fhir+xml; fhirVersion=4.0").format == Format::Xml);
  r.headers = {{"Content-Type", "application/fhir+json; fhirVersion=3.0"}};
  CHECK(rest::body_format(r) == Format::Unknown);  // 415
  r.headers = {{"Content-Type", "application/fhir+json; charset=utf-8; fhirVersion=4.0"}};
  CHECK(rest::body_format(r) == Format::Json);
}
