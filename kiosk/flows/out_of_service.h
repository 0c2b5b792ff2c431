/* out_of_service.h - the flow of a kiosk that must not serve (KIOSK_MODE_OUT_OF_SERVICE): its
 * database is damaged and could not be recovered, or is being recovered (the app runs it with no
 * store), or the bureau set `mode = out_of_service`.
 * One red screen that says so in plain words and sends diners to the counter; a card or ID card
 * is answered by voice and recorded nowhere. The reason for staff is on the staff line. */
#ifndef KIOSK_OUT_OF_SERVICE_H
#define KIOSK_OUT_OF_SERVICE_H

#include "flow.h"

extern const kiosk_flow_ops kiosk_out_of_service_flow;

#endif
