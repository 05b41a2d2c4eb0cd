/* SPDX-License-Identifier: Apache-2.0 */
/* `features` (runtime-spec features.md): what this build supports, read from the
   same tables the runtime uses, so it cannot drift from the truth. */
#include "config.h"
#include "runtime/container.h"
#include "runtime/caps.h"
#include "runtime/hooks.h"
#include "runtime/seccomp.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
gen_list (yajl_gen g, const char *key, const char *const *v)
{
  nr_jgen_key (g, key);
  nr_jgen_strv (g, (char *const *) v);
}

static void
gen_enabled (yajl_gen g, const char *key, bool on)
{
  nr_jgen_key (g, key);
  yajl_gen_map_open (g);
  nr_jgen_kbool (g, "enabled", on);
  yajl_gen_map_close (g);
}

static void
gen_seccomp (yajl_gen g)
{
  nr_jgen_key (g, "seccomp");
  yajl_gen_map_open (g);
#ifdef HAVE_SECCOMP
  nr_jgen_kbool (g, "enabled", true);
  gen_list (g, "actions", nr_seccomp_actions ());
  gen_list (g, "operators", nr_seccomp_operators ());
  gen_list (g, "archs", nr_seccomp_archs ());
  gen_list (g, "knownFlags", nr_seccomp_known_flags ());
  gen_list (g, "supportedFlags", nr_seccomp_supported_flags ());
#else
  nr_jgen_kbool (g, "enabled", false);
#endif
  yajl_gen_map_close (g);
}

static void
gen_linux (yajl_gen g)
{
  static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL };
  nr_jgen_key (g, "linux");
  yajl_gen_map_open (g);
  gen_list (g, "namespaces", ns);
  gen_list (g, "capabilities", nr_caps_known ());
  nr_jgen_key (g, "cgroup");
  yajl_gen_map_open (g);
  nr_jgen_kbool (g, "v1", true);
  nr_jgen_kbool (g, "v2", true);
  nr_jgen_kbool (g, "systemd", false);
  nr_jgen_kbool (g, "systemdUser", false);
  nr_jgen_kbool (g, "rdma", false);
  yajl_gen_map_close (g);
  gen_seccomp (g);
  gen_enabled (g, "apparmor", true);
  gen_enabled (g, "selinux", true);
  gen_enabled (g, "intelRdt", false);
  nr_jgen_key (g, "mountExtensions");
  yajl_gen_map_open (g);
  gen_enabled (g, "idmap", false);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
}

char *
nr_features_json (void)
{
  const char *hooks[OCI_HOOK_KIND_COUNT + 1];
  const char *opts[128];
  size_t n = 0;
  for (int i = 0; i < OCI_HOOK_KIND_COUNT; i++)
    hooks[i] = nr_hook_kind_name (i);
  hooks[OCI_HOOK_KIND_COUNT] = NULL;
  for (size_t i = 0; i < oci_n_mount_options && n < NR_ARRAY_SIZE (opts) - 1; i++)
    opts[n++] = oci_mount_options[i].name;
  opts[n] = NULL;

  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "ociVersionMin", "1.0.0");
  nr_jgen_kstr (g, "ociVersionMax", "1.3.0");
  gen_list (g, "hooks", hooks);
  gen_list (g, "mountOptions", opts);
  gen_linux (g);
  nr_jgen_key (g, "annotations");
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "io.github.seccomp.libseccomp.version",
#ifdef HAVE_SECCOMP
                nr_seccomp_lib_version ()
#else
                "none"
#endif
  );
  nr_jgen_kstr (g, "org.opencontainers.runc.checkpoint.enabled", "false");
  nr_jgen_kstr (g, "run.nestrun.version", PACKAGE_VERSION);
  nr_jgen_kstr (g, "run.nestrun.nested", "supported");
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}
