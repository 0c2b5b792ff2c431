/* staff_words.c - the words of staff mode (staff_words.h). */
#include "staff_words.h"

#include "i18n.h"

const staff_words staff_text = {
    .title_suffix = N_("工作人员"),
    .pin_headline = N_("请输入密码"),
    .pin_backspace = N_("删除"),
    .pin_confirm = N_("确定"),
    .pin_short = N_("密码是4到8位数字"),
    .pin_wrong = N_("密码不对，还可以试"),
    .pin_wrong_unit = N_("次"),
    .locked_headline = N_("这张工作卡已锁定"),
    .locked_message = N_("密码错了5次，"),
    .locked_after = N_("以后再试"),
    .locked_advice = N_("请找主管处理"),
    .menu_headline = N_("工作人员菜单"),
    .action =
        {
            [KIOSK_STAFF_DAY_VIEW] = N_("今日统计"),
            [KIOSK_STAFF_VOID_MEAL] = N_("撤销一餐"),
            [KIOSK_STAFF_MANUAL_MEAL] = N_("无卡登记"),
            [KIOSK_STAFF_OVERRIDE] = N_("放行"),
            [KIOSK_STAFF_OFFLINE_ALLOW] = N_("离线放行"),
            [KIOSK_STAFF_BILL] = N_("录入账单"),
            [KIOSK_STAFF_SYNC_NOW] = N_("立即同步"),
            [KIOSK_STAFF_STATUS] = N_("同步和设备"),
            [KIOSK_STAFF_REPRINT] = N_("补打小票"),
            [KIOSK_STAFF_OUT_OF_SERVICE] = N_("暂停服务"),
            [KIOSK_STAFF_WALK_IN] = N_("现场取号"),
            [KIOSK_STAFF_CALL_NEXT] = N_("叫下一号"),
            [KIOSK_STAFF_SETTINGS] = N_("本机设置"),
            [KIOSK_STAFF_EXIT_OS] = N_("退出到系统"),
        },
    .role = {N_("操作员"), N_("主管")},
    .leave = N_("退出"),
    .back = N_("返回"),
    .cancel = N_("取消"),
    .resume = N_("恢复服务"),
    .refused_headline = N_("没有这个权限"),
    .refused_message = N_("这项操作需要主管来做"),
    .error_headline = N_("没有完成"),
    .error_message = N_("本机数据库出错，请再试一次"),
    .day_title = N_("今日统计 "),
    .day_total = N_("合计"),
    .day_count_unit = N_(" 份"),
    .day_head = {N_("项目"), N_("份数"), N_("补贴"), N_("自付")},
    .void_headline = N_("撤销哪一餐？"),
    .void_message = N_("原记录保留，另记一条撤销"),
    .void_none = N_("今天还没有可以撤销的餐"),
    .void_done_headline = N_("已撤销"),
    .void_reason_headline = N_("撤销的原因"),
    .void_gone = N_("这一餐已经不能撤销"),
    .status_headline = N_("同步和设备"),
    .status_pending = N_("待上传"),
    .status_last_ok = N_("上次同步"),
    .status_offset = N_("时钟偏差"),
    .status_state = N_("联网状态"),
    .status_never = N_("从未"),
    .status_none = N_("未设置"),
    .sync_state = {N_("启动中"), N_("未登记"), N_("在线"), N_("离线"), N_("认证失败"), N_("已停用"),
                   N_("被拒绝"), N_("登记失败"), N_("证书不符")},
    .device = {N_("读卡器"), N_("身份证阅读器"), N_("打印机")},
    .device_state = {N_("未配置"), N_("正常"), N_("故障"), N_("缺纸")},
    .oos_headline = N_("本机暂停服务"),
    .oos_message = N_("这台机器现在不能刷卡登记"),
    .oos_advice = N_("请到窗口找工作人员"),
    .sync_started = N_("已开始同步"),
    .exiting = N_("正在退出到系统"),
    .reprint_headline = N_("补打哪一张？"),
    .reprint_message = N_("今天的餐，最近的在前"),
    .reprint_done = N_("已补打"),
    .offline_allowed = N_("已放行离线用餐"),
    .offline_allowed_message = N_("可以再离线登记一批，联网后自动上传"),
    .counter_headline = N_("叫号到几号窗口？"),
    .counter_unit = N_("号窗口"),
    .nobody_waits = N_("现在没有人等候"),
    .call_before = N_("请 "),
    .call_to = N_(" 号到 "),
    .call_after = N_(" 号窗口"),
};

const staff_words *staff_text_tr(void)
{
    static staff_words copy;
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)&staff_text, (const char **)&copy,
                         KIOSK_TR_COUNT(staff_words));
        made = kiosk_i18n_generation() + 1;
    }
    return &copy;
}
