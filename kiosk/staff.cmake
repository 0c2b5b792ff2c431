# Staff mode (docs/staff.md): roles, PINs and the audit chain (domain: the server links them
# too), the staff roster, sign-in, lock and audit log (store).
target_sources(kiosk_domain PRIVATE kiosk/domain/audit.c kiosk/domain/staff.c
  kiosk/domain/staff_csv.c kiosk/domain/staff_override.c)
target_sources(kiosk_store PRIVATE kiosk/store/staff_store.c)
target_sources(kiosk_app PRIVATE kiosk/staff_cli.c kiosk/corner_hold.c)
target_sources(kiosk_flows PRIVATE kiosk/flows/staff_flow.c kiosk/flows/staff_words.c
  kiosk/flows/staff_serve.c)
