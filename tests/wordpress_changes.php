<?php
/*
 * Changes a harness WordPress the way its readers and moderators do, through WordPress's own
 * API (so comment counts, dates and caches follow), for the tests and benchmark of
 * incremental runs. Run with the harness's environment (DOCROOT, WP_HARNESS_PORT) and the
 * harness's lib/ folder as HARNESS_LIB:
 *
 *   php wordpress_changes.php '[["comment", POST, PARENT, "Author", "Text"], ["edit", ID, "Text"], …]'
 *
 * Operations: comment (a new approved comment, now; PARENT 0 for top level), edit (a
 * comment's text), trash (a comment), approve_pending (the oldest comment held for moderation
 * on a published post), edit_post (a post's text), trash_post (a post).
 * Prints, as JSON, the id each operation made or touched.
 */
require getenv('HARNESS_LIB') . '/wp-env.php';

global $wpdb;
$done = array();
foreach (json_decode($argv[1], true) as $op) {
    switch ($op[0]) {
        case 'comment':
            $id = wp_insert_comment(wp_slash(array(
                'comment_post_ID' => $op[1], 'comment_parent' => $op[2],
                'comment_author' => $op[3], 'comment_author_email' => 'reader@example.com',
                'comment_content' => $op[4], 'comment_approved' => 1,
                'comment_date' => current_time('mysql'), 'comment_date_gmt' => current_time('mysql', true),
            )));
            break;
        case 'edit':
            $id = $op[1];
            wp_update_comment(wp_slash(array('comment_ID' => $id, 'comment_content' => $op[2])));
            break;
        case 'trash':
            $id = $op[1];
            wp_trash_comment($id);
            break;
        case 'approve_pending':
            $id = (int) $wpdb->get_var("SELECT c.comment_ID FROM {$wpdb->comments} c JOIN {$wpdb->posts} p"
                . " ON p.ID = c.comment_post_ID WHERE c.comment_approved = '0' AND c.comment_type = 'comment'"
                . " AND p.post_status = 'publish' AND p.post_type = 'post' ORDER BY c.comment_ID LIMIT 1");
            if ($id) { wp_set_comment_status($id, 'approve'); }
            break;
        case 'trash_post':
            $id = $op[1];
            wp_trash_post($id);
            break;
        case 'edit_post':
            $id = $op[1];
            wp_update_post(wp_slash(array('ID' => $id, 'post_content' => $op[2])));
            break;
        default:
            fwrite(STDERR, "unknown operation: {$op[0]}\n");
            exit(2);
    }
    if (!$id) {
        fwrite(STDERR, "operation failed: " . json_encode($op) . "\n");
        exit(1);
    }
    $done[] = (int) $id;
}
echo json_encode($done), "\n";
