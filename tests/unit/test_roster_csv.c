/* test_roster_csv.c - the roster import parser: CSV syntax (quoting, embedded line breaks, BOM,
 * CRLF, blank lines), the header, each field's checks with the line number in the message, the
 * limits, a callback that stops the read, the traps of spreadsheets and clerks (a person_id that
 * is an ID number, an ID number of another birth date, tab-separated and UTF-16 files), the
 * import modes' names, and the sample file in tests/data (argv[1]).
 * Input goes through tmpfile(), so the test needs nothing beyond C11. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "mask.h"
#include "roster_csv.h"

#define MAX_ROWS 32

static const kiosk_date today = {2026, 11, 22};

typedef struct collected {
    kiosk_roster_row rows[MAX_ROWS];
    size_t n;
    size_t calls;
    size_t stop_after; /* 0 = never stop */
} collected;

static kiosk_rc collect(void *user, const kiosk_roster_row *row)
{
    collected *c = user;
    c->calls++;
    if (c->n < MAX_ROWS)
        c->rows[c->n++] = *row;
    return c->stop_after && c->calls >= c->stop_after ? KIOSK_ERR_BUSY : KIOSK_OK;
}

static kiosk_rc run_bytes(const char *csv, size_t len, collected *c, char *err, size_t err_size)
{
    memset(c, 0, sizeof *c);
    FILE *f = tmpfile();
    if (!f) {
        fprintf(stderr, "tmpfile failed\n");
        exit(1);
    }
    fwrite(csv, 1, len, f);
    rewind(f);
    kiosk_rc rc = kiosk_roster_csv_read(f, today, collect, c, err, err_size);
    fclose(f);
    return rc;
}

static collected got; /* big: keep it off the stack */
static char err[256];

static kiosk_rc run(const char *csv)
{
    err[0] = '\0';
    return run_bytes(csv, strlen(csv), &got, err, sizeof err);
}

/* Runs csv and checks that it fails with exactly `message`. */
#define EXPECT_ERROR(csv, message)            \
    do {                                      \
        CHECK_INT(run(csv), KIOSK_ERR_PARSE); \
        CHECK_STR(err, message);              \
    } while (0)

#define HDR "person_id,name,birth_date,hukou\n"
#define FULL_HDR                                                                       \
    "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid," \
    "card_status,issuing_canteen,id_number\n"

static void test_minimal(void)
{
    CHECK_INT(run(HDR "P1,张小明,1950-01-01,local\n"), KIOSK_OK);
    CHECK_INT(got.n, 1);
    const kiosk_roster_row *r = &got.rows[0];
    CHECK_INT(r->line, 2);
    CHECK_STR(r->person_id, "P1");
    CHECK_STR(r->name_masked, "张*明");
    CHECK_INT(r->person.birth.year, 1950);
    CHECK_INT(r->person.birth.month, 1);
    CHECK_INT(r->person.birth.day, 1);
    CHECK_INT(r->person.categories, 0);
    CHECK_STR(r->person.home.city, "");
    CHECK(r->person.local_hukou);
    CHECK(r->person.local_resident);
    CHECK(r->person.active);
    CHECK_STR(r->card_uid, "");
    CHECK(!r->card_blocked);
    CHECK_STR(r->issuing_canteen, "");
    CHECK_STR(r->id_number, "");
    CHECK_STR(err, "");

    /* Column order is free; the last line break is optional. */
    CHECK_INT(run("hukou,birth_date,name,person_id\nresident,1950-01-01,李四,P2"), KIOSK_OK);
    CHECK_INT(got.n, 1);
    CHECK_STR(got.rows[0].person_id, "P2");
    CHECK_STR(got.rows[0].name_masked, "李*");
    CHECK(!got.rows[0].person.local_hukou);
    CHECK(got.rows[0].person.local_resident);

    /* A header alone is an empty roster. */
    CHECK_INT(run(HDR), KIOSK_OK);
    CHECK_INT(got.n, 0);
    CHECK_INT(run(HDR "\n\n"), KIOSK_OK);
    CHECK_INT(got.n, 0);
}

static void test_syntax(void)
{
    /* BOM, CRLF, blank lines (counted as physical lines, skipped). */
    CHECK_INT(run("\xEF\xBB\xBF"
                  "person_id,name,birth_date,hukou\r\n"
                  "P1,王五,1950-01-01,local\r\n"
                  "\r\n"
                  "\n"
                  "P2,赵六,1951-02-03,other\r\n"),
              KIOSK_OK);
    CHECK_INT(got.n, 2);
    CHECK_INT(got.rows[0].line, 2);
    CHECK_INT(got.rows[1].line, 5);
    CHECK(!got.rows[1].person.local_hukou && !got.rows[1].person.local_resident);

    /* Blank lines before the header too. */
    EXPECT_ERROR("\n\r\n" HDR "P1,王五,1950-02-30,local\n",
                 "line 4: birth_date: '1950-02-30' is not a valid date (YYYY-MM-DD)");

    /* Quoting: commas, doubled quotes, an empty quoted field, quotes around every field. */
    CHECK_INT(run(HDR "\"P1\",\"Smith, John\",\"1950-01-01\",\"local\"\n"
                      "P2,\"Li \"\"Tom\"\"\",1950-01-01,local\n"),
              KIOSK_OK);
    CHECK_INT(got.n, 2);
    CHECK_STR(got.rows[0].name_masked, "S*********n");
    CHECK_STR(got.rows[1].name_masked, "L******\"");
    EXPECT_ERROR(HDR "\"\",张三,1950-01-01,local\n", "line 2: person_id: empty, but required");

    /* A quoted field with line breaks (Alt+Enter in a spreadsheet cell): the record spans lines
     * 2-4 and the next one starts on line 5. */
    CHECK_INT(run("person_id,name,birth_date,hukou,categories\n"
                  "P1,张三,1950-01-01,local,\"dibao;\nalone;\r\nveteran\"\n"
                  "P2,李四,1950-01-01,local,\n"),
              KIOSK_OK);
    CHECK_INT(got.n, 2);
    CHECK_INT(got.rows[0].person.categories,
              KIOSK_CAT(DIBAO) | KIOSK_CAT(ALONE) | KIOSK_CAT(VETERAN));
    CHECK_INT(got.rows[1].line, 5);
    EXPECT_ERROR("person_id,name,birth_date,hukou,categories\n"
                 "P1,张三,1950-01-01,local,\"dibao;\nalone\"\n"
                 "P2,李四,1950-13-01,local,\n",
                 "line 4: birth_date: '1950-13-01' is not a valid date (YYYY-MM-DD)");

    /* An unterminated quote is reported where its record starts. */
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,local\n"
                     "P2,\"李四,1950-01-01,local\n"
                     "P3,王五,1950-01-01,local\n",
                 "line 3: unterminated quoted field");
    CHECK_INT(got.n, 1); /* rows before the error were handed on: the caller rolls back */
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,\"local", "line 2: unterminated quoted field");

    EXPECT_ERROR(HDR "P1,张\"三,1950-01-01,local\n",
                 "line 2: name: a quote inside an unquoted field (quote the whole field and "
                 "double the quote)");
    EXPECT_ERROR(HDR "P1,\"张三\"x,1950-01-01,local\n",
                 "line 2: name: text after the closing quote of a quoted field");
    EXPECT_ERROR(HDR "P1,\"张三\" ,1950-01-01,local\n",
                 "line 2: name: text after the closing quote of a quoted field");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,local\rP2,李四,1950-01-01,local\n",
                 "line 2: carriage return without a line feed (save the file with CRLF or LF "
                 "line endings)");
    EXPECT_ERROR(HDR "\rP2,李四,1950-01-01,local\n",
                 "line 2: carriage return without a line feed (save the file with CRLF or LF "
                 "line endings)");
    EXPECT_ERROR(HDR "P1,\"张三\"\r", "line 2: carriage return without a line feed (save the "
                                      "file with CRLF or LF line endings)");

    /* Field counts. */
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,local\nP2,李四,1950-01-01\n",
                 "line 3: expected 4 fields, found 3");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,local,\n", "line 2: expected 4 fields, found 5");
    EXPECT_ERROR(HDR "P1\n", "line 2: expected 4 fields, found 1");
    EXPECT_ERROR(HDR " \n", "line 2: expected 4 fields, found 1");

    /* Encoding. */
    EXPECT_ERROR(HDR "P1,\xe5\xbc,1950-01-01,local\n", "line 2: name: invalid UTF-8");
    EXPECT_ERROR(HDR "P1,\xc0\xaf,1950-01-01,local\n", "line 2: name: invalid UTF-8");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,\xff\n", "line 2: hukou: invalid UTF-8");
    static const char with_nul[] = HDR "P1,张\0三,1950-01-01,local\n";
    err[0] = '\0';
    CHECK_INT(run_bytes(with_nul, sizeof with_nul - 1, &got, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 2: name: contains a NUL byte");
    /* A partial BOM is data, and not UTF-8. */
    EXPECT_ERROR("\xEF\xBB", "line 1: header field 1: invalid UTF-8");
    EXPECT_ERROR("\xEF\xBB" HDR, "line 1: header field 1: invalid UTF-8");
    /* A BOM anywhere but at the very start is not skipped. */
    EXPECT_ERROR("\n\xEF\xBB\xBF" HDR, "line 2: unknown column the value");
}

static void test_header(void)
{
    EXPECT_ERROR("", "line 1: the file is empty; its first line must name the columns");
    EXPECT_ERROR("\xEF\xBB\xBF", "line 1: the file is empty; its first line must name the columns");
    EXPECT_ERROR("\n\n", "line 3: the file is empty; its first line must name the columns");
    EXPECT_ERROR("person_id,name,birth_date,hukou,nickname\n", "line 1: unknown column 'nickname'");
    EXPECT_ERROR("person_id,Name,birth_date,hukou\n", "line 1: unknown column 'Name'");
    EXPECT_ERROR("person_id,name ,birth_date,hukou\n", "line 1: unknown column 'name '");
    EXPECT_ERROR("person_id,name,birth_date,hukou,\n", "line 1: unknown column ''");
    EXPECT_ERROR("person_id,姓名,birth_date,hukou\n", "line 1: unknown column the value");
    EXPECT_ERROR("person_id,name,birth_date,hukou,name\n", "line 1: duplicate column 'name'");
    EXPECT_ERROR("person_id,name,birth_date\n", "line 1: missing required column 'hukou'");
    EXPECT_ERROR("name,birth_date,hukou\n", "line 1: missing required column 'person_id'");
    EXPECT_ERROR("person_id,name,hukou,city\n", "line 1: missing required column 'birth_date'");
    EXPECT_ERROR("\"person_id\",\"name\",\"birth_date\",\"hukou\",\"na\nme\"\n",
                 "line 1: unknown column the value");
    EXPECT_ERROR("person_id,name,birth_date,hu\"kou\n",
                 "line 1: header field 4: a quote inside an unquoted field (quote the whole field "
                 "and double the quote)");
    EXPECT_ERROR("person_id,name,\"birth_date\"x,hukou\n",
                 "line 1: header field 3: text after the closing quote of a quoted field");
    EXPECT_ERROR("person_id,na\xffme,birth_date,hukou\n", "line 1: header field 2: invalid UTF-8");
    char many[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(many, i ? ",x" : "x");
    strcat(many, "\n");
    EXPECT_ERROR(many, "line 1: 40 columns; the roster has at most 13");
    /* Every column known. */
    CHECK_INT(run(FULL_HDR), KIOSK_OK);
}

static void test_fields(void)
{
    /* person_id */
    EXPECT_ERROR(HDR ",张三,1950-01-01,local\n", "line 2: person_id: empty, but required");
    EXPECT_ERROR(HDR "P 1,张三,1950-01-01,local\n",
                 "line 2: person_id: 'P 1' may only hold A-Z, a-z, 0-9, '_' and '-'");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,local\nP/2,张三,1950-01-01,local\n",
                 "line 3: person_id: 'P/2' may only hold A-Z, a-z, 0-9, '_' and '-'");
    EXPECT_ERROR(HDR "张三,张三,1950-01-01,local\n",
                 "line 2: person_id: the value may only hold A-Z, a-z, 0-9, '_' and '-'");
    EXPECT_ERROR(HDR "abcdefghij0123456789abcdefghij0123456789,张三,1950-01-01,local\n",
                 "line 2: person_id: longer than 39 characters");
    CHECK_INT(run(HDR "abcdefghij0123456789abcdefghij012345678,张三,1950-01-01,local\n"), KIOSK_OK);
    CHECK_STR(got.rows[0].person_id, "abcdefghij0123456789abcdefghij012345678");
    CHECK_INT(run(HDR "A_b-9,张三,1950-01-01,local\n"), KIOSK_OK);

    /* name: trimmed (also U+3000), control characters refused, long names refused. */
    EXPECT_ERROR(HDR "P1,,1950-01-01,local\n", "line 2: name: empty, but required");
    EXPECT_ERROR(HDR "P1,  \xE3\x80\x80 ,1950-01-01,local\n", "line 2: name: empty, but required");
    CHECK_INT(run(HDR "P1, \xE3\x80\x80张小明\t ,1950-01-01,local\n"), KIOSK_OK);
    CHECK_STR(got.rows[0].name_masked, "张*明");
    CHECK_INT(run(HDR "P1,欧阳丽娜\xE3\x80\x80\xE3\x80\x80,1950-01-01,local\n"), KIOSK_OK);
    CHECK_STR(got.rows[0].name_masked, "欧**娜");
    CHECK_INT(run(HDR "P1,阿卜杜·热合曼,1950-01-01,local\n"), KIOSK_OK);
    CHECK_STR(got.rows[0].name_masked, "阿*****曼");
    const char *control = "line 2: name: contains a control character";
    EXPECT_ERROR(HDR "P1,\"张\n三\",1950-01-01,local\n", control);
    EXPECT_ERROR(HDR "P1,张\x1b三,1950-01-01,local\n", control);
    EXPECT_ERROR(HDR "P1,张三\x7f,1950-01-01,local\n", control);
    CHECK_INT(run(HDR "P1,\tJohn,1950-01-01,local\n"), KIOSK_OK);
    CHECK_STR(got.rows[0].name_masked, "J**n");
    EXPECT_ERROR(HDR "P1,张\xc2\x85三,1950-01-01,local\n", control);    /* U+0085 */
    CHECK_INT(run(HDR "P1,张\xc2\xa0三,1950-01-01,local\n"), KIOSK_OK); /* NBSP is no control */
    char long_name[512] = HDR "P1,";
    for (int i = 0; i < 70; i++)
        strcat(long_name, "张");
    strcat(long_name, ",1950-01-01,local\n");
    EXPECT_ERROR(long_name, "line 2: name: too long to keep masked (at most 63 bytes masked)");

    /* birth_date */
    EXPECT_ERROR(HDR "P1,张三,,local\n", "line 2: birth_date: empty, but required");
    EXPECT_ERROR(HDR "P1,张三,1950-02-30,local\n",
                 "line 2: birth_date: '1950-02-30' is not a valid date (YYYY-MM-DD)");
    EXPECT_ERROR(HDR "P1,张三,1950/01/01,local\n",
                 "line 2: birth_date: '1950/01/01' is not a valid date (YYYY-MM-DD)");
    EXPECT_ERROR(HDR "P1,张三,1950-1-1,local\n",
                 "line 2: birth_date: '1950-1-1' is not a valid date (YYYY-MM-DD)");
    EXPECT_ERROR(HDR "P1,张三,2026-11-23,local\n",
                 "line 2: birth_date: '2026-11-23' is after today (2026-11-22)");
    CHECK_INT(run(HDR "P1,张三,2026-11-22,local\n"), KIOSK_OK);
    CHECK_INT(run(HDR "P1,张三,1932-02-29,local\n"), KIOSK_OK);

    /* categories: codes, Chinese labels, spaces and empty items. */
    CHECK_INT(run("person_id,name,birth_date,hukou,categories\n"
                  "P1,张三,1950-01-01,local,tekun;dibao;low_income;disabled;alone\n"
                  "P2,张三,1950-01-01,local,severe_disability;family_planning;veteran;sanwu\n"
                  "P3,张三,1950-01-01,local,特困供养;低保;低保边缘;失能半失能;独居空巢\n"
                  "P4,张三,1950-01-01,local,重度残疾;计生特殊家庭;优抚对象;三无\n"
                  "P5,张三,1950-01-01,local, dibao ;;\tsanwu;\n"
                  "P6,张三,1950-01-01,local,;\n"),
              KIOSK_OK);
    CHECK_INT(got.n, 6);
    CHECK_INT(got.rows[0].person.categories, KIOSK_CAT(TEKUN) | KIOSK_CAT(DIBAO) |
                                                 KIOSK_CAT(LOW_INCOME) | KIOSK_CAT(DISABLED) |
                                                 KIOSK_CAT(ALONE));
    CHECK_INT(got.rows[1].person.categories, KIOSK_CAT(SEVERE_DISABILITY) |
                                                 KIOSK_CAT(FAMILY_PLANNING) | KIOSK_CAT(VETERAN) |
                                                 KIOSK_CAT(SANWU));
    CHECK_INT(got.rows[2].person.categories, got.rows[0].person.categories);
    CHECK_INT(got.rows[3].person.categories, got.rows[1].person.categories);
    CHECK_INT(got.rows[4].person.categories, KIOSK_CAT(DIBAO) | KIOSK_CAT(SANWU));
    CHECK_INT(got.rows[5].person.categories, 0);
    EXPECT_ERROR("person_id,name,birth_date,hukou,categories\n"
                 "P1,张三,1950-01-01,local,dibao;rich\n",
                 "line 2: categories: unknown category 'rich'");
    EXPECT_ERROR("person_id,name,birth_date,hukou,categories\nP1,张三,1950-01-01,local,Dibao\n",
                 "line 2: categories: unknown category 'Dibao'");
    EXPECT_ERROR("person_id,name,birth_date,hukou,categories\nP1,张三,1950-01-01,local,低保户\n",
                 "line 2: categories: unknown category the value");
    EXPECT_ERROR("person_id,name,birth_date,hukou,categories\n"
                 "P1,张三,1950-01-01,local,\"dibao,alone\"\n",
                 "line 2: categories: unknown category 'dibao,alone'");

    /* area codes */
    CHECK_INT(run("person_id,name,birth_date,hukou,city,district,street\n"
                  "P1,张三,1950-01-01,local,320100,320102,32010200200101234567890\n"),
              KIOSK_OK);
    CHECK_STR(got.rows[0].person.home.city, "320100");
    CHECK_STR(got.rows[0].person.home.district, "320102");
    CHECK_STR(got.rows[0].person.home.street, "32010200200101234567890");
    EXPECT_ERROR("person_id,name,birth_date,hukou,city,district,street\n"
                 "P1,张三,1950-01-01,local,32O100,,\n",
                 "line 2: city: '32O100' must be digits only");
    EXPECT_ERROR("person_id,name,birth_date,hukou,city,district,street\n"
                 "P1,张三,1950-01-01,local,,-320102,\n",
                 "line 2: district: '-320102' must be digits only");
    EXPECT_ERROR("person_id,name,birth_date,hukou,city,district,street\n"
                 "P1,张三,1950-01-01,local,,,320102002001012345678901\n",
                 "line 2: street: longer than 23 digits");

    /* hukou */
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,\n", "line 2: hukou: empty, but required");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,Local\n",
                 "line 2: hukou: 'Local' must be local, resident or other");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01, local\n",
                 "line 2: hukou: ' local' must be local, resident or other");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,户籍\n",
                 "line 2: hukou: the value must be local, resident or other");

    /* status */
    CHECK_INT(run("person_id,name,birth_date,hukou,status\n"
                  "P1,张三,1950-01-01,local,inactive\n"
                  "P2,张三,1950-01-01,local,active\n"
                  "P3,张三,1950-01-01,local,\n"),
              KIOSK_OK);
    CHECK(!got.rows[0].person.active);
    CHECK(got.rows[1].person.active);
    CHECK(got.rows[2].person.active);
    EXPECT_ERROR("person_id,name,birth_date,hukou,status\nP1,张三,1950-01-01,local,deceased\n",
                 "line 2: status: 'deceased' must be active or inactive");
}

#define CARD_HDR "person_id,name,birth_date,hukou,card_uid,card_status,issuing_canteen\n"

static void test_cards(void)
{
    CHECK_INT(run(CARD_HDR "P1,张三,1950-01-01,local,04a1b2c3,,\n"
                           "P1,张三,1950-01-01,local,04A1B2C3D4E5F6,blocked,C01\n"
                           "P1,张三,1950-01-01,local,0123456789abcdefABCD,lost,\n"
                           "P2,李四,1950-01-01,local,,blocked,C01\n"
                           "P3,王五,1950-01-01,local,04A1B2C4,active,canteen_7\n"),
              KIOSK_OK);
    CHECK_INT(got.n, 5);
    CHECK_STR(got.rows[0].card_uid, "04A1B2C3");
    CHECK(!got.rows[0].card_blocked);
    CHECK(!got.rows[0].card_lost);
    CHECK_STR(got.rows[1].card_uid, "04A1B2C3D4E5F6");
    CHECK(got.rows[1].card_blocked);
    CHECK(!got.rows[1].card_lost);
    CHECK_STR(got.rows[1].issuing_canteen, "C01");
    CHECK_STR(got.rows[2].card_uid, "0123456789ABCDEFABCD");
    CHECK(got.rows[2].card_blocked);
    CHECK(got.rows[2].card_lost);
    /* Card columns of a row without a card are checked, then cleared. */
    CHECK_STR(got.rows[3].card_uid, "");
    CHECK(!got.rows[3].card_blocked);
    CHECK_STR(got.rows[3].issuing_canteen, "");
    CHECK_STR(got.rows[4].issuing_canteen, "canteen_7");

    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,04A1B2,,\n",
                 "line 2: card_uid: '04A1B2' must be 8, 14 or 20 hex digits (a 4, 7 or 10 byte "
                 "UID)");
    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,04a1b2cg,,\n",
                 "line 2: card_uid: '04a1b2cg' must be 8, 14 or 20 hex digits (a 4, 7 or 10 byte "
                 "UID)");
    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,04A1B2CG,,\n",
                 "line 2: card_uid: '04A1B2CG' must be 8, 14 or 20 hex digits (a 4, 7 or 10 byte "
                 "UID)");
    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,04:A1:B2:C3,,\n",
                 "line 2: card_uid: '04:A1:B2:C3' must be 8, 14 or 20 hex digits (a 4, 7 or 10 "
                 "byte UID)");
    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,04A1B2C3,stolen,\n",
                 "line 2: card_status: 'stolen' must be active, blocked or lost");
    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,,stolen,\n",
                 "line 2: card_status: 'stolen' must be active, blocked or lost");
    EXPECT_ERROR(CARD_HDR "P1,张三,1950-01-01,local,04A1B2C3,,C 01\n",
                 "line 2: issuing_canteen: 'C 01' may only hold A-Z, a-z, 0-9, '_' and '-'");
}

static void test_id_number(void)
{
    CHECK_INT(run("person_id,name,birth_date,hukou,id_number\n"
                  "P1,张三,1949-12-31,local,11010519491231002x\n"
                  "P2,李四,1950-01-01,local,\n"
                  "P3,王五,1980-01-01,resident,810000198001011236\n"),
              KIOSK_OK);
    CHECK_STR(got.rows[0].id_number, "11010519491231002X");
    CHECK_STR(got.rows[1].id_number, "");
    CHECK_STR(got.rows[2].id_number, "810000198001011236");

    /* Each failure says what is wrong, never the number. */
    static const struct {
        const char *number, *message;
    } bad[] = {
        {"32010219500101123", "line 2: id_number: not a valid ID number (bad_length)"},
        {"32010219500101123A", "line 2: id_number: not a valid ID number (bad_char)"},
        {"000000195001011231", "line 2: id_number: not a valid ID number (bad_area)"},
        {"320102202611230031", "line 2: id_number: not a valid ID number (bad_birth)"},
        {"320102195001011235", "line 2: id_number: not a valid ID number (bad_check)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char csv[256];
        snprintf(csv, sizeof csv,
                 "person_id,name,birth_date,hukou,id_number\n"
                 "P1,张三,1950-01-01,local,%s\n",
                 bad[i].number);
        CHECK_INT(run(csv), KIOSK_ERR_PARSE);
        CHECK_STR(err, bad[i].message);
        CHECK(strstr(err, bad[i].number) == NULL);
    }
}

static void test_privacy(void)
{
    /* An ID number in a column whose error would repeat the value is withheld. */
    EXPECT_ERROR("person_id,name,birth_date,hukou,city\n"
                 "P1,张三,1950-01-01,local,11010519491231002X\n",
                 "line 2: city: the value must be digits only");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,x11010519491231002x\n",
                 "line 2: hukou: the value must be local, resident or other");
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,110105194912310\n",
                 "line 2: hukou: the value must be local, resident or other");
    /* ... a 14-digit value is shown. */
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,11010519491231\n",
                 "line 2: hukou: '11010519491231' must be local, resident or other");
    /* Long values are not repeated either. */
    EXPECT_ERROR(HDR "P1,张三,1950-01-01,abcdefghijabcdefghijabcdefghijabc\n",
                 "line 2: hukou: the value must be local, resident or other");
    /* No message of these tests ever holds a name. */
    EXPECT_ERROR(HDR "P1,张小明,1950-01-01,nowhere\n",
                 "line 2: hukou: 'nowhere' must be local, resident or other");
    CHECK(strstr(err, "张") == NULL);
}

static void test_limits(void)
{
    static char csv[16384];
    /* 256 bytes in a field are fine (empty category items), 257 are not. */
    strcpy(csv, "person_id,name,birth_date,hukou,categories\nP1,张三,1950-01-01,local,");
    size_t n = strlen(csv);
    memset(csv + n, ';', 256);
    strcpy(csv + n + 256, "\n");
    CHECK_INT(run(csv), KIOSK_OK);
    strcpy(csv + n + 256, ";\n");
    EXPECT_ERROR(csv, "line 2: categories: longer than 256 bytes");
    /* The count is of the bytes inside the quotes, after "" became ". */
    strcpy(csv, HDR "P1,张三,1950-01-01,\"");
    n = strlen(csv);
    for (int i = 0; i < 257; i++, n += 2)
        memcpy(csv + n, "\"\"", 2);
    strcpy(csv + n, "\"\n");
    EXPECT_ERROR(csv, "line 2: hukou: longer than 256 bytes");
    strcpy(csv, HDR "P1,\"");
    n = strlen(csv);
    memset(csv + n, 'x', 300);
    strcpy(csv + n + 300, "\",1950-01-01,local\n");
    EXPECT_ERROR(csv, "line 2: name: longer than 256 bytes");
    strcpy(csv, HDR "P1,张三,1950-01-01,local,");
    n = strlen(csv);
    memset(csv + n, 'x', 300);
    strcpy(csv + n + 300, "\n");
    EXPECT_ERROR(csv, "line 2: field 5: longer than 256 bytes");
    memset(csv, 'x', 300);
    strcpy(csv + 300, "\n");
    EXPECT_ERROR(csv, "line 1: header field 1: longer than 256 bytes");

    /* A record over 4096 bytes: many short fields. */
    strcpy(csv, HDR "P1");
    n = strlen(csv);
    memset(csv + n, ',', 5000);
    strcpy(csv + n + 5000, "\n");
    EXPECT_ERROR(csv, "line 2: record longer than 4096 bytes");
    memset(csv, ',', 5000);
    strcpy(csv + 5000, "\n");
    EXPECT_ERROR(csv, "line 1: record longer than 4096 bytes");
    /* Many fields below the record limit are still counted right. */
    strcpy(csv, HDR "P1");
    n = strlen(csv);
    memset(csv + n, ',', 99);
    strcpy(csv + n + 99, "\n");
    EXPECT_ERROR(csv, "line 2: expected 4 fields, found 100");
}

static void test_callback_and_args(void)
{
    const char *csv = HDR "P1,张三,1950-01-01,local\nP2,李四,1950-01-01,local\n"
                          "P3,王五,1950-01-01,local\n";
    memset(&got, 0, sizeof got);
    got.stop_after = 2;
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (f) {
        fputs(csv, f);
        rewind(f);
        CHECK_INT(kiosk_roster_csv_read(f, today, collect, &got, err, sizeof err), KIOSK_ERR_BUSY);
        CHECK_INT(got.calls, 2);
        CHECK_STR(err, "line 3: stopped by the importer: busy, try again");
        /* A tiny or absent message buffer is fine. */
        rewind(f);
        memset(&got, 0, sizeof got);
        char tiny[8];
        CHECK_INT(
            kiosk_roster_csv_read(f, (kiosk_date){1900, 1, 1}, collect, &got, tiny, sizeof tiny),
            KIOSK_ERR_PARSE);
        CHECK_STR(tiny, "line 2:");
        rewind(f);
        CHECK_INT(kiosk_roster_csv_read(f, (kiosk_date){1900, 1, 1}, collect, &got, NULL, 0),
                  KIOSK_ERR_PARSE);
        fclose(f);
    }
    CHECK_INT(kiosk_roster_csv_read(NULL, today, collect, &got, err, sizeof err),
              KIOSK_ERR_INVALID);
    f = tmpfile();
    if (f) {
        CHECK_INT(kiosk_roster_csv_read(f, today, NULL, &got, err, sizeof err), KIOSK_ERR_INVALID);
        fclose(f);
    }
    /* Reading a stream opened for writing only fails with an I/O error. */
    f = fopen("/dev/null", "w");
    if (f) {
        CHECK_INT(kiosk_roster_csv_read(f, today, collect, &got, err, sizeof err), KIOSK_ERR_IO);
        CHECK_STR(err, "line 1: read error");
        fclose(f);
    }
}

/* A person_id that is an ID number is refused without being repeated; the ID number's birth date
 * must be the row's; tab-separated and UTF-16 files are named as such. */
static void test_import_traps(void)
{
    static const char *const id_like[] = {
        "11010519491231002X", /* 18 characters, valid check character */
        "11010519491231002x", /* the same with a small x */
        "110105194912310",    /* 15 digits: a first-generation card */
        "320102193401010020", /* all digits, valid check character */
    };
    for (size_t i = 0; i < sizeof id_like / sizeof id_like[0]; i++) {
        char csv[256];
        snprintf(csv, sizeof csv, HDR "P1,张三,1950-01-01,local\n%s,李四,1950-01-01,local\n",
                 id_like[i]);
        CHECK_INT(run(csv), KIOSK_ERR_PARSE);
        CHECK_STR(err, "line 3: person_id: looks like an ID number; use the bureau's person id "
                       "here (an ID number belongs in id_number)");
        CHECK(strstr(err, id_like[i]) == NULL);
    }
    /* Near misses are ordinary ids: 18 digits with a wrong check character, 17 or 16 digits,
     * 15 characters that are not all digits. */
    CHECK_INT(run(HDR "110105194912310021,张三,1950-01-01,local\n"
                      "11010519491231002,张三,1950-01-01,local\n"
                      "1101051949123100,张三,1950-01-01,local\n"
                      "11010519491231A,张三,1950-01-01,local\n"),
              KIOSK_OK);
    CHECK_INT(got.n, 4);

    /* The birth date inside the ID number against birth_date, whatever the column order. */
    EXPECT_ERROR("person_id,name,birth_date,hukou,id_number\n"
                 "P1,张三,1949-12-30,local,11010519491231002X\n",
                 "line 2: id_number: the birth date in the number (characters 7-14) differs "
                 "from birth_date");
    CHECK(strstr(err, "1949") == NULL);
    EXPECT_ERROR("id_number,person_id,name,hukou,birth_date\n"
                 "11010519491231002X,P1,张三,local,1949-12-31\n"
                 "810000198001011236,P2,李四,resident,1980-10-01\n",
                 "line 3: id_number: the birth date in the number (characters 7-14) differs "
                 "from birth_date");
    CHECK_INT(got.n, 1);

    /* A spreadsheet saved as tab-separated text, with or without a byte-order mark, and as
     * "Unicode text" (UTF-16 with tabs). */
    const char *tsv =
        "line 1: this looks like a tab-separated file; save it as CSV (comma-separated)";
    EXPECT_ERROR("person_id\tname\tbirth_date\thukou\nP1\t张三\t1950-01-01\tlocal\n", tsv);
    EXPECT_ERROR("\xEF\xBB\xBFperson_id\tname\tbirth_date\thukou\r\n", tsv);
    EXPECT_ERROR("person_id,name\tbirth_date,hukou\n", tsv);
    static const char utf16[] = "\xFF\xFEp\0e\0r\0s\0o\0n\0_\0i\0d\0\t\0";
    err[0] = '\0';
    CHECK_INT(run_bytes(utf16, sizeof utf16 - 1, &got, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 1: this is a UTF-16 text file; save it as CSV UTF-8 (comma-separated)");
    static const char utf16be[] = "\xFE\xFF\0p\0e";
    CHECK_INT(run_bytes(utf16be, sizeof utf16be - 1, &got, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 1: this is a UTF-16 text file; save it as CSV UTF-8 (comma-separated)");
}

static void test_mode_names(void)
{
    CHECK_INT(kiosk_roster_mode_parse("full"), KIOSK_ROSTER_MODE_FULL);
    CHECK_INT(kiosk_roster_mode_parse("delta"), KIOSK_ROSTER_MODE_DELTA);
    CHECK_INT(kiosk_roster_mode_parse("Full"), KIOSK_ROSTER_MODE_NONE);
    CHECK_INT(kiosk_roster_mode_parse(""), KIOSK_ROSTER_MODE_NONE);
    CHECK_INT(kiosk_roster_mode_parse(NULL), KIOSK_ROSTER_MODE_NONE);
    CHECK_STR(kiosk_roster_mode_name(KIOSK_ROSTER_MODE_FULL), "full");
    CHECK_STR(kiosk_roster_mode_name(KIOSK_ROSTER_MODE_DELTA), "delta");
    CHECK_STR(kiosk_roster_mode_name(KIOSK_ROSTER_MODE_NONE), "none");
}

static const kiosk_roster_row *find_row(const collected *c, size_t line)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->rows[i].line == line)
            return &c->rows[i];
    return NULL;
}

static void test_sample(const char *data_dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/roster-sample.csv", data_dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    memset(&got, 0, sizeof got);
    CHECK_INT(kiosk_roster_csv_read(f, today, collect, &got, err, sizeof err), KIOSK_OK);
    fclose(f);
    CHECK_STR(err, "");
    CHECK_INT(got.n, 22);
    uint32_t all_categories = 0;
    for (size_t i = 0; i < got.n; i++) {
        const kiosk_roster_row *r = &got.rows[i];
        int age = kiosk_age_on(r->person.birth, today);
        CHECK(age >= 60 && age <= 100);
        all_categories |= r->person.categories;
        CHECK(kiosk_utf8_valid(r->name_masked, strlen(r->name_masked)));
        CHECK(strchr(r->name_masked, '*') != NULL);
    }
    CHECK_INT(all_categories, (1u << KIOSK_CATEGORY_COUNT) - 1);

    const kiosk_roster_row *r = find_row(&got, 2);
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(r->person_id, "XW-0001");
        CHECK_STR(r->name_masked, "张*兰");
        CHECK_INT(r->person.birth.year, 1956);
        CHECK_INT(r->person.birth.month, 3);
        CHECK_INT(r->person.birth.day, 12);
        CHECK_INT(r->person.categories, 0);
        CHECK_STR(r->person.home.city, "320100");
        CHECK_STR(r->person.home.district, "320102");
        CHECK_STR(r->person.home.street, "320102002");
        CHECK(r->person.local_hukou);
        CHECK(r->person.active);
        CHECK_STR(r->card_uid, "04A1B2C3");
        CHECK(!r->card_blocked);
        CHECK_STR(r->issuing_canteen, "");
        CHECK_STR(r->id_number, "");
    }
    r = find_row(&got, 5); /* 100 years old, 10-byte UID written in lower case */
    CHECK(r && kiosk_age_on(r->person.birth, today) == 100);
    CHECK(r && strcmp(r->card_uid, "08AA5511CC3344DD9900") == 0);
    CHECK(r && r->person.categories == KIOSK_CAT(VETERAN));
    r = find_row(&got, 6); /* 60 today, neither hukou nor residence */
    CHECK(r && kiosk_age_on(r->person.birth, today) == 60);
    CHECK(r && !r->person.local_hukou && !r->person.local_resident);
    /* Two cards of one person. */
    const kiosk_roster_row *a = find_row(&got, 7), *b = find_row(&got, 8);
    CHECK(a && b && strcmp(a->person_id, "XW-0006") == 0 && strcmp(b->person_id, "XW-0006") == 0);
    CHECK(a && b && strcmp(a->card_uid, b->card_uid) != 0);
    CHECK(a && b && strcmp(a->name_masked, b->name_masked) == 0);
    r = find_row(&got, 9);
    CHECK(r && r->card_blocked && !r->card_lost);
    r = find_row(&got, 10);
    CHECK(r && r->card_blocked && r->card_lost);
    CHECK(r && r->person.categories == KIOSK_CAT(SEVERE_DISABILITY));
    r = find_row(&got, 11);
    CHECK(r && strcmp(r->person_id, "XW-0008") == 0 && !r->card_blocked);
    r = find_row(&got, 14);
    CHECK(r && strcmp(r->name_masked, "阿******提") == 0);
    CHECK(r && r->person.categories == KIOSK_CAT(ALONE));
    r = find_row(&got, 15);
    CHECK(r && strcmp(r->name_masked, "欧**娜") == 0);
    CHECK(r && r->person.categories == (KIOSK_CAT(DIBAO) | KIOSK_CAT(DISABLED)));
    r = find_row(&got, 16);
    CHECK(r && strcmp(r->issuing_canteen, "XW-C01") == 0);
    r = find_row(&got, 17); /* no card, an ID number */
    CHECK(r && r->card_uid[0] == '\0' && strcmp(r->id_number, "320102193401010020") == 0);
    r = find_row(&got, 18);
    CHECK(r && !r->person.active);
    r = find_row(&got, 20); /* categories on two lines */
    CHECK(r && strcmp(r->person_id, "QH-0017") == 0);
    CHECK(r && r->person.categories == (KIOSK_CAT(VETERAN) | KIOSK_CAT(ALONE)));
    r = find_row(&got, 22);
    CHECK(r && strcmp(r->person_id, "QH-0018") == 0);
    CHECK(r && !r->person.local_hukou && r->person.local_resident);
    r = find_row(&got, 23);
    CHECK(r && strcmp(r->id_number, "810000196404040139") == 0);
    r = find_row(&got, 24);
    CHECK(r && strcmp(r->id_number, "32010419390707004X") == 0);
}

int main(int argc, char **argv)
{
    test_minimal();
    test_syntax();
    test_header();
    test_fields();
    test_cards();
    test_id_number();
    test_privacy();
    test_limits();
    test_callback_and_args();
    test_import_traps();
    test_mode_names();
    test_sample(argc > 1 ? argv[1] : "tests/data");
    CHECK_DONE();
}
