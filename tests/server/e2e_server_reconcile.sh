#!/usr/bin/env bash
# The server over loopback: the same person's second subsidised lunch from another kiosk is
# accepted, the later one by estimated creation time is flagged, one review case opens, and
# settlement pays its subsidy only once — checked against figures worked out by hand below —
# until a reviewer accepts (paid) or waives (held back for good). A third one reopens the case.
source "$(dirname "$0")/lib.sh"

setup_site
admin site add s2 --name 另一食堂 --city 320100 --district 320104 --street 320104004 > /dev/null
run start_server
check "the server starts" test "$status" -eq 0
for d in "k1 s1 c1" "k2 s1 c1" "k3 s1 c2"; do
  run enroll $d
  check "enroll $d" test "$status" -eq 0
done
upload() { # DEVICE SPECFILE -> the statuses, with review_status when flagged
  make_batch "$1" "$1.json" < "$2"
  signed "$1" POST /v1/records:batch "$1.json"
  jq -r '[.results[] | .status + (if .review_status then "/" + .review_status else "" end)] | join(" ")' resp.json
}

# A: XW-0001's lunch of 3 Nov at k1 (12:05) and at k2 (12:01): k1's comes first, k2's (eaten
#    earlier, its kiosk was offline) second, so k1's becomes the suspected one.
# B: XW-0002's dinner of 4 Nov at k1 (17:00), then at k3 (17:30): k3's is suspected at once.
# C: XW-0003's lunches without subsidy, twice: nothing to review. D: another meal type.
# E: XW-0004 at canteen c2. F: October. G: a canteen's own share.
cat > k1.spec << 'EOF'
seq=1 person=XW-0001 type=lunch date=2026-11-03 time=12:05 subsidy=500 city=300 district=200
seq=2 person=XW-0002 type=dinner date=2026-11-04 time=17:00 subsidy=800
seq=3 person=XW-0003 type=lunch date=2026-11-05 time=12:00 subsidy=0
seq=4 person=XW-0001 type=breakfast date=2026-11-03 time=07:30 price=500 subsidy=200
seq=5 person=XW-0005 type=lunch date=2026-10-31 time=12:00 subsidy=500
seq=6 person=XW-0006 type=lunch date=2026-11-06 time=12:00 subsidy=650 city=400 district=100 canteen_fen=150 class=dibao
EOF
check "k1's meals: all accepted, none flagged" eq "$(upload k1 k1.spec)" \
  "accepted accepted accepted accepted accepted accepted"
cat > k2.spec << 'EOF'
seq=1 person=XW-0001 type=lunch date=2026-11-03 time=12:01 subsidy=500 city=300 district=200
seq=2 person=XW-0003 type=lunch date=2026-11-05 time=12:10 subsidy=0
EOF
check "k2's earlier lunch: accepted and not flagged (it is the first)" eq "$(upload k2 k2.spec)" \
  "accepted accepted"
cat > k3.spec << 'EOF'
seq=1 person=XW-0002 type=dinner date=2026-11-04 time=17:30 subsidy=800 canteen=c2
seq=2 person=XW-0004 type=lunch date=2026-11-03 time=12:00 subsidy=300 city=150 street=150 class=age70 canteen=c2
EOF
check "k3's second dinner: accepted and flagged" eq "$(upload k3 k3.spec)" \
  "accepted/duplicate_subsidy_suspected accepted"

admin review list > review.txt
check "two open cases" eq "$(grep -c '^case ' review.txt)" 2
case_a=$(sed -n 's/^case \([0-9]*\)  open  person XW-0001  lunch 2026-11-03.*/\1/p' review.txt)
case_b=$(sed -n 's/^case \([0-9]*\)  open  person XW-0002  dinner 2026-11-04.*/\1/p' review.txt)
check "one case for XW-0001's lunch" test -n "$case_a"
check "one case for XW-0002's dinner" test -n "$case_b"
k1_lunch=$(jq -r '.records[0].record_id' k1.json)
k2_lunch=$(jq -r '.records[0].record_id' k2.json)
check "in case A k1's lunch is the suspected one" grep -q "$k1_lunch  device k1.*duplicate_subsidy_suspected" review.txt
check "and k2's earlier one is the original" grep -q "$k2_lunch  device k2.*original" review.txt

# Worked by hand (site s1, November):
#   c1/age80: paid A@k2 (300/200), B@k1 (800), C@k1, C@k2 (0), D@k1 (200): 5 meals, city 1300,
#             district 200; held A@k1: 1 meal, city 300, district 200
#   c1/dibao: G: city 400, district 100, canteen 150
#   c2/age70: E: city 150, street 150
#   c2/age80: held B@k3: city 800
cat > expected.csv << 'EOF'
month,site_id,canteen_id,class_id,funding_level,meals,subsidy_fen,held_meals,held_subsidy_fen
2026-11,s1,c1,age80,city,5,1300,1,300
2026-11,s1,c1,age80,district,5,200,1,200
2026-11,s1,c1,age80,street,5,0,1,0
2026-11,s1,c1,age80,canteen,5,0,1,0
2026-11,s1,c1,dibao,city,1,400,0,0
2026-11,s1,c1,dibao,district,1,100,0,0
2026-11,s1,c1,dibao,street,1,0,0,0
2026-11,s1,c1,dibao,canteen,1,150,0,0
2026-11,s1,c2,age70,city,1,150,0,0
2026-11,s1,c2,age70,district,1,0,0,0
2026-11,s1,c2,age70,street,1,150,0,0
2026-11,s1,c2,age70,canteen,1,0,0,0
2026-11,s1,c2,age80,city,0,0,1,800
2026-11,s1,c2,age80,district,0,0,1,0
2026-11,s1,c2,age80,street,0,0,1,0
2026-11,s1,c2,age80,canteen,0,0,1,0
EOF
admin settlement --month 2026-11 --site s1 > nov.csv
check "November's settlement: the flagged subsidies held back" diff expected.csv nov.csv
admin settlement --month 2026-11 --output nov-all.csv
check "--output writes the same (all sites)" diff expected.csv nov-all.csv
check "no .part file is left" test ! -e nov-all.csv.part
admin settlement --month 2026-10 > oct.csv
check "October has XW-0005's lunch only" eq "$(sed -n 2p oct.csv)" "2026-10,s1,c1,age80,city,1,500,0,0"
admin settlement --month 2026-11 --site s2 > s2.csv
check "site s2 has nothing" eq "$(wc -l < s2.csv | tr -d ' ')" 1
run admin settlement --month 2026-13
check "a month that is not YYYY-MM is refused" test "$status" -eq 2

# The reviewer: A accepted (paid after all), B waived (held back for good).
run admin review accept "$case_a"
check "review accept" test "$status" -eq 0
run admin review waive "$case_b"
check "review waive" test "$status" -eq 0
admin review list > open.txt
check "no open cases left" eq "$(cat open.txt)" "no open cases"
sed -e 's/^2026-11,s1,c1,age80,city,5,1300,1,300$/2026-11,s1,c1,age80,city,6,1600,0,0/' \
  -e 's/^2026-11,s1,c1,age80,district,5,200,1,200$/2026-11,s1,c1,age80,district,6,400,0,0/' \
  -e 's/^2026-11,s1,c1,age80,\(street\|canteen\),5,0,1,0$/2026-11,s1,c1,age80,\1,6,0,0,0/' \
  expected.csv > reviewed.csv
admin settlement --month 2026-11 > nov2.csv
check "after review: A paid, B still held" diff reviewed.csv nov2.csv
admin settlement --month 2026-11 --meals > meals.csv
check "the per-meal export has the kiosk's columns and review_status" eq "$(head -1 meals.csv)" \
  "record_id,business_date,local_time,kiosk_id,canteen_id,person_id,class_id,meal_type,price_fen,subsidy_fen,pay_fen,city_fen,district_fen,street_fen,policy_version,payment_method,canteen_fen,day_subsidy_fen,price_source,menu_item,review_status"
check "k1's lunch accepted on review" grep -q "^$k1_lunch,2026-11-03,12:05,k1,c1,XW-0001,age80,lunch,1500,500,1000,300,200,0,gl-2026.1,,0,0,set,,duplicate_subsidy_accepted$" meals.csv
k3_dinner=$(jq -r '.records[0].record_id' k3.json)
check "k3's dinner waived" grep -q "^$k3_dinner,.*,duplicate_subsidy_waived$" meals.csv
check "9 meals in November" eq "$(($(wc -l < meals.csv) - 1))" 9

# A third lunch of XW-0001 that day reopens case A.
printf 'seq=3 person=XW-0001 type=lunch date=2026-11-03 time=12:30 subsidy=500 canteen=c2\n' > k3b.spec
check "a third lunch is flagged" eq "$(upload k3 k3b.spec)" "accepted/duplicate_subsidy_suspected"
admin review list > reopened.txt
check "case A is open again" grep -q "^case $case_a  open  person XW-0001" reopened.txt
check "with its three meals" eq "$(grep -c 'device k' reopened.txt)" 3

stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
