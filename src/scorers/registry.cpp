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
    r.add(markdown_injection_scorer());
    r.add(credential_leak_scorer());
    r.add(xss_scorer());
    r.add(sql_injection_scorer());
    r.add(shell_injection_scorer());
    r.add(path_traversal_scorer());
    r.add(ssrf_scorer());
    r.add(ssti_scorer());
    r.add(xxe_scorer());
    r.add(ldap_injection_scorer());
    r.add(open_redirect_scorer());
    r.add(pii_scorer());
    r.add(prompt_injection_scorer());
    r.add(system_prompt_extraction_scorer());
    r.add(plagiarism_scorer());
    r.add(decoding_scorer());
    r.add(keyword_list_scorer());
    r.add(float_threshold_scorer());
    r.add(composite_scorer());
    r.add(llm_likert_scorer());
    r.add(llm_scale_scorer());
    r.add(llm_category_scorer());
    r.add(llm_question_answer_scorer());
    r.add(llm_insecure_code_scorer());
    r.add(conversation_scorer());
    return r;
  }();
  return registry;
}

}  // namespace redcell
