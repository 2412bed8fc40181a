// /api/v1/scores/{id} and /api/v1/scores/{id}/review: a reviewer confirms or overrides a
// score. The scorer's value is kept beside the reviewed one, who and when are recorded and
// audited, and when the score is an objective verdict its work item, its execution's
// counts and success rate, the results filters and the attack result follow the review.
#include <boost/json.hpp>
#include <sstream>

#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {
struct Review {
  std::string value;
  std::string note;
};

// {"value", "note"?}: value "true"/"false" (or a JSON boolean) for a true_false score, a
// decimal from 0 to 1 for a float_scale one (the store checks which).
Result<Review> read_review(const boost::json::value& body) {
  auto in = JsonInput::of(body, "", "an object {\"value\", \"note\"?}");
  if (!in) return fail(in.error());
  if (auto ok = in->only({"value", "note"}); !ok) return fail(ok.error());
  const auto* v = in->get("value");
  Review r;
  if (v && v->is_bool())
    r.value = v->as_bool() ? "true" : "false";
  else if (v && v->is_string() && v->as_string().size() <= 32)
    r.value = std::string(v->as_string());
  else if (v && v->is_number()) {
    std::ostringstream text;
    text << v->to_number<double>();
    r.value = text.str();
  } else
    return fail(Error::invalid("/value", v ? *v : nullptr,
                               "the reviewed value: true or false, or a decimal from 0 to 1"));
  auto note = in->opt_string("note", 4000, true);
  if (!note) return fail(note.error());
  r.note = note->value_or("");
  return r;
}
}  // namespace

void add_score_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary = "One of your scores, with its reviewed value when a reviewer set one";
  add_blocking(
      router, "GET", "/api/v1/scores/{id}", s.pool,
      [s](http::Request& req) {
        auto score = s.store.get_score(scope_of(req), req.param("id"));
        if (!score) return http::Response::error(score.error());
        return http::Response::json(200, score_json(*score));
      },
      opts);

  opts.summary = "Confirm or override a score {\"value\", \"note\"?}; the scorer's value is kept";
  opts.json_body = true;
  add_blocking(
      router, "POST", "/api/v1/scores/{id}/review", s.pool,
      [s](http::Request& req) {
        auto review = read_review(req.json);
        if (!review) return http::Response::error(review.error());
        const auto scope = scope_of(req);
        auto before = s.store.get_score(scope, req.param("id"));
        if (!before) return http::Response::error(before.error());
        auto reviewed =
            s.store.override_score(scope, before->id, review->value, review->note).get();
        if (!reviewed) return http::Response::error(reviewed.error());
        audit(
            s.store, req, "score.review", "score", reviewed->id,
            {{"scorer_value", reviewed->value},
             {"previous_value", before->override_value ? boost::json::value(*before->override_value)
                                                       : boost::json::value(nullptr)},
             {"value", review->value},
             {"note", review->note}});
        return http::Response::json(200, score_json(*reviewed));
      },
      opts);
}

}  // namespace redcell::api
