/* test_simcmd.c - the sim reader's line language, good and bad lines. */
#include "check.h"
#include "clock.h"
#include "simcmd.h"

int main(void)
{
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    kiosk_event ev;
    char err[128];
    CHECK_INT(kiosk_simcmd_parse("tap 04A1B2C3\n", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_CARD);
    CHECK_INT(ev.u.card.uid_len, 4);
    CHECK_INT(ev.u.card.uid[0], 0x04);
    CHECK_INT(ev.u.card.uid[3], 0xC3);
    CHECK_INT(kiosk_simcmd_parse("tap 04a1b2c3d4e5f6", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.u.card.uid_len, 7);
    CHECK_INT(kiosk_simcmd_parse("  tap 04A1B2C3  \r\n", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_simcmd_parse("tap 04A1B2", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("tap 04A1B2ZZ", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("id 11010519491231002X 张三", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_IDCARD);
    CHECK_STR(ev.u.idcard.number, "11010519491231002X");
    CHECK_STR(ev.u.idcard.name, "张三");
    CHECK_INT(kiosk_simcmd_parse("id 1101051949 张三", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "1101051949") == NULL); /* never echoes personal data */
    CHECK_INT(kiosk_simcmd_parse("id 11010519491231002X", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("press back", &ev, err, sizeof err), KIOSK_OK);
    CHECK_STR(ev.u.widget, "back");
    CHECK_INT(kiosk_simcmd_parse("press", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("press a;b", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("press call:3", &ev, err, sizeof err), KIOSK_OK);
    CHECK_STR(ev.u.widget, "call:3"); /* a counter's call button (the now-serving board) */
    CHECK_INT(kiosk_simcmd_parse("touch 100 200", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.u.touch.x, 100);
    CHECK_INT(ev.u.touch.y, 200);
    CHECK_INT(ev.u.touch.phase, 0); /* a tap: down and up */
    CHECK_INT(kiosk_simcmd_parse("touch -1 5", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("touch 5", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("hold 40 50", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_TOUCH);
    CHECK_INT(ev.u.touch.x, 40);
    CHECK_INT(ev.u.touch.y, 50);
    CHECK_INT(ev.u.touch.phase, 1);
    CHECK_INT(kiosk_simcmd_parse("hold 40", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "hold: needs x and y");
    CHECK_INT(kiosk_simcmd_parse("release", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_TOUCH);
    CHECK_INT(ev.u.touch.phase, 2);
    CHECK_INT(kiosk_simcmd_parse("release 1", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("time 2026-11-23T11:30:00+08:00", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.u.time_utc_ms, 1795404600000LL);
    CHECK_INT(kiosk_simcmd_parse("time tomorrow", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("shot out.png", &ev, err, sizeof err), KIOSK_OK);
    CHECK_STR(ev.u.path, "out.png");
    CHECK_INT(kiosk_simcmd_parse("shot", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("wait 250", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.u.wait_ms, 250);
    CHECK_INT(kiosk_simcmd_parse("wait 2x", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("wait 99999999999", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    /* The hang test hook (honoured by the app only with KIOSK_TEST_HOOKS=1). */
    CHECK_INT(kiosk_simcmd_parse("hang 15000", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_HANG);
    CHECK_INT(ev.u.wait_ms, 15000);
    CHECK_INT(kiosk_simcmd_parse("hang", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    /* The cash register's bill line, in fen. */
    CHECK_INT(kiosk_simcmd_parse("bill 1850", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_BILL);
    CHECK_INT(ev.u.bill_fen, 1850);
    CHECK_INT(kiosk_simcmd_parse("bill 0", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.u.bill_fen, 0);
    CHECK_INT(kiosk_simcmd_parse("bill 99999999", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_simcmd_parse("bill 100000000", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("bill -5", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("bill 18.50", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "fen") != NULL);
    CHECK_INT(kiosk_simcmd_parse("bill", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("bill 12 34", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("quit", &ev, err, sizeof err), KIOSK_OK);
    CHECK_INT(ev.kind, KIOSK_EV_QUIT);
    CHECK_INT(kiosk_simcmd_parse("quit now", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_simcmd_parse("", &ev, err, sizeof err), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_simcmd_parse("   # a comment", &ev, err, sizeof err), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_simcmd_parse("dance", &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "unknown command") != NULL);
    char longline[2000];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    CHECK_INT(kiosk_simcmd_parse(longline, &ev, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_DONE();
}
