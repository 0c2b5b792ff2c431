# roster.awk - a synthetic roster CSV of `rows` persons for the benchmarks (docs/roster.md):
# one card per person, every person eligible at the canteen; names, ages (60-100), categories
# and hukou spread as in bench_tap.c / bench_lookup.c. UIDs are 04 and the row number: the
# store keys cards by a keyed hash, so their order does not matter.
#
#   LC_ALL=C awk -v rows=1000000 -f bench/roster.awk > roster.csv
BEGIN {
  ns = split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sur, " ")
  ng = split("秀 兰 英 华 明 国 建 玉 芳 桂 珍 淑 凤 德 文 志 强 永 福 春 海 金 荣 平 军 红 梅 丽 云 清 宝 成 林 和 生 祥 顺 贵 良 琴", giv, " ")
  print "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,card_status,issuing_canteen,id_number"
  for (i = 0; i < rows; i++) {
    r = (i * 2654435761 + 12345) % 4294967296   # exact in a double: below 2^53
    name = sur[1 + r % ns] giv[1 + int(r / 64) % ng]
    if (int(r / 4096) % 4 != 0) name = name giv[1 + int(r / 8192) % ng]
    year = 1926 + int(r / 65536) % 40; month = 1 + int(r / 16) % 12; day = 1 + int(r / 256) % 28
    pick = int(r / 1048576) % 100
    cat = pick < 8 ? "dibao" : pick < 11 ? "tekun" : pick < 14 ? "disabled" : ""
    hukou = int(r / 33554432) % 8 == 0 ? "resident" : "local"
    printf "P%07d,%s,%04d-%02d-%02d,%s,320100,320102,32010200%d,%s,active,04%04X%08X,active,,\n",
      i, name, year, month, day, cat, 1 + int(r / 2048) % 4, hukou,
      int(i / 4294967296), i % 4294967296
  }
}
