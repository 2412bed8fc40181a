#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.hpp"
#include "app/settings.hpp"
#include "cli/options.hpp"

int main(int argc, char** argv) {
  using namespace redcell;
  CLI::App app{"redcell: red-teaming for LLM applications"};
  app.set_version_flag("--version", std::string("redcell ") + REDCELL_VERSION);
  app.require_subcommand(1);

  auto* serve = app.add_subcommand("serve", "Serve the REST API and the web UI");
  cli::OptionBinder serve_options(*serve, serve_option_specs());

  auto* doctor = app.add_subcommand("doctor", "Show the resolved configuration and check it");
  cli::OptionBinder doctor_options(*doctor, serve_option_specs());
  bool doctor_json = false;
  doctor->add_flag("--json", doctor_json, "print one JSON document");

  CLI11_PARSE(app, argc, argv);

  auto resolve = [](const cli::OptionBinder& b, const char* name) -> std::optional<Config> {
    auto config = b.resolve(process_env());
    if (!config) {
      std::cerr << "redcell " << name << ": " << config.error().message() << "\n";
      return std::nullopt;
    }
    return std::move(*config);
  };
  if (serve->parsed()) {
    auto config = resolve(serve_options, "serve");
    return config ? run_serve(*config) : 2;
  }
  if (doctor->parsed()) {
    auto config = resolve(doctor_options, "doctor");
    return config ? run_doctor(*config, doctor_json) : 2;
  }
  return 2;
}
