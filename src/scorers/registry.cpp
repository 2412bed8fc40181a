#include "scorers/scorer.hpp"

namespace redcell {

template <>
const Catalog<Scorer>& Catalog<Scorer>::builtin() {
  static const Catalog<Scorer> registry = [] {
    Catalog<Scorer> r("scorer");
    r.add(substring_scorer());
    r.add(regex_scorer());
    r.add(refusal_scorer());
    r.add(inverter_scorer());
    r.add(llm_true_false_scorer());
    r.add(llm_refusal_scorer());
    return r;
  }();
  return registry;
}

}  // namespace redcell
